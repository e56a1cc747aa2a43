"""Demo portfolios: clubs, achievements in every sphere with generated pictures, olympiads
with rounds, diagnostics (НИКО, ВПР, regional) with per-task results, testing results and a
school points table. Called by ``seed_demo`` after the journal is filled.

Everything goes through the portfolio's services, so the demo data passes the same checks
as a user's input (file types, sizes, score ranges)."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db.models import Q
from PIL import Image, ImageDraw, ImageFont

from shkola.core import clock
from shkola.schools.models import Organisation, Student
from shkola.schools.selectors import current_year
from shkola.timetable.models import TimetableEntry

from . import services
from .models import Achievement, Category

FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)
COLOURS = [
    ((31, 78, 156), (59, 125, 221)),
    ((12, 110, 80), (32, 201, 151)),
    ((156, 54, 31), (245, 159, 0)),
    ((96, 38, 156), (190, 75, 219)),
    ((20, 90, 110), (21, 170, 191)),
]

CLUBS = [
    ("club", "technical", "Робототехника", "Кванториум", "Соколов Д. А."),
    ("section", "sport", "Самбо", "ДЮСШ «Олимп»", "Кузнецов В. П."),
    (
        "studio",
        "art",
        "Изостудия «Палитра»",
        "Дом детского творчества",
        "Морозова Е. С.",
    ),
    ("club", "science", "Юный эколог", "Станция юных натуралистов", "Лебедева О. И."),
    ("section", "sport", "Плавание", "Бассейн «Дельфин»", "Волков А. Н."),
    ("club", "social", "Школьный медиацентр", "Школа", "Павлова Н. В."),
    ("studio", "art", "Хоровая студия", "Детская школа искусств", "Григорьева Т. М."),
    ("club", "tourism", "Краеведение", "Школа", "Николаев С. С."),
]
SPHERE_ENTRIES: dict[str, list[dict[str, str]]] = {
    Category.CREATIVITY: [
        {"work_type": "Рисунок", "name": "Осенний пейзаж", "level": "school", "subject": "ИЗО",
         "result": "Выставка работ", "teacher_name": "Морозова Е. С."},
        {"work_type": "Поделка", "name": "Новогодняя игрушка", "level": "municipal",
         "subject": "Технология", "result": "Участник", "teacher_name": "Павлова Н. В."},
    ],
    Category.COMPETITION: [
        {"work_type": "Командные", "name": "Весёлые старты", "level": "school",
         "subject": "Физическая культура", "result": "1 место", "teacher_name": "Кузнецов В. П."},
    ],
    Category.CONTEST: [
        {"work_type": "Чтецов", "name": "Живая классика", "level": "municipal",
         "subject": "Литература", "result": "Призёр", "teacher_name": "Григорьева Т. М."},
        {"work_type": "Эссе", "name": "Моя малая родина", "level": "regional",
         "subject": "Русский язык", "result": "Участник", "teacher_name": "Григорьева Т. М."},
    ],
    Category.RESEARCH: [
        {"work_type": "Индивидуальная", "work_kind": "Исследовательская работа",
         "name": "Качество воды в городском пруду", "level": "municipal", "subject": "Биология",
         "result": "Победитель", "teacher_name": "Лебедева О. И."},
    ],
    Category.PROJECT: [
        {"work_type": "Групповой", "work_kind": "Социальный проект", "name": "Кормушки для птиц",
         "level": "school", "subject": "Окружающий мир", "result": "Защищён",
         "teacher_name": "Лебедева О. И."},
    ],
    Category.SPORT: [
        {"sport_kind": "Лыжные гонки", "name": "Лыжня России", "level": "municipal",
         "result": "3 место", "teacher_name": "Кузнецов В. П."},
        {"sport_kind": "Плавание", "name": "Первенство города", "level": "municipal",
         "result": "Участник", "teacher_name": "Волков А. Н."},
    ],
}  # fmt: skip
OLYMPIADS = [
    ("Всероссийская олимпиада школьников по математике", "Математика"),
    ("Всероссийская олимпиада школьников по русскому языку", "Русский язык"),
    ("Олимпиада «Звезда» по естественным наукам", "Биология"),
    ("Всероссийская олимпиада школьников по английскому языку", "Английский язык"),
]
ROUND_PATTERNS = [
    {"school": "1", "municipal": "2"},
    {"school": "2"},
    {"school": "у"},
    {"school": "1", "municipal": "1", "regional": "у"},
    {"school": "3"},
]
KES = ["1.1", "1.2", "2.1", "2.3", "3.1", "3.4", "4.2", "5.1"]
KT = ["1.1", "1.3", "2.1", "2.2", "3.1", "4.1"]


def _font(size: int) -> Any:
    for path in FONT_PATHS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def picture(title: str, subtitle: str, *, rng: random.Random, name: str) -> UploadedFile:
    """A JPEG «diploma» or photo with the title written on it."""
    dark, light = COLOURS[rng.randrange(len(COLOURS))]
    width, height = 800, 560
    image = Image.new("RGB", (width, height), light)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        colour = tuple(int(light[i] * (1 - t) + dark[i] * t) for i in range(3))
        draw.line([(0, y), (width, y)], fill=colour)
    draw.rounded_rectangle([40, 40, width - 40, height - 40], radius=24, outline="white", width=6)
    for _ in range(6):
        x, y, r = rng.randrange(width), rng.randrange(height), rng.randrange(20, 70)
        draw.ellipse([x - r, y - r, x + r, y + r], outline=(255, 255, 255), width=3)
    big, small = _font(40), _font(26)
    lines, line = [], ""
    for word in title.split():
        probe = f"{line} {word}".strip()
        if draw.textlength(probe, font=big) > width - 140 and line:
            lines.append(line)
            line = word
        else:
            line = probe
    lines.append(line)
    y = 170
    for text in lines[:4]:
        draw.text(
            ((width - draw.textlength(text, font=big)) / 2, y),
            text,
            font=big,
            fill="white",
        )
        y += 52
    draw.text(
        ((width - draw.textlength(subtitle, font=small)) / 2, height - 130),
        subtitle,
        font=small,
        fill="white",
    )
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _featured_ids(organisation_ids: Iterable[int] | None) -> set[int]:
    """The students the demo logins open: the demo student and the demo parents' children."""
    qs = Student.objects.all()
    if organisation_ids is not None:
        qs = qs.filter(organisation_id__in=list(organisation_ids))
    return set(
        qs.filter(Q(user__is_demo=True) | Q(guardianships__guardian__user__is_demo=True))
        .values_list("id", flat=True)
        .distinct()
    )


def _students(organisation_ids: Iterable[int] | None, per_class: int) -> list[Student]:
    """The demo accounts' classes in full (so class averages mean something) and a few
    students of every other class."""
    qs = Student.objects.filter(current_class__isnull=False).select_related(
        "current_class__parallel", "organisation"
    )
    if organisation_ids is not None:
        qs = qs.filter(organisation_id__in=list(organisation_ids))
    featured_classes = set(
        qs.filter(user__isnull=False, user__is_demo=True).values_list("current_class_id", flat=True)
    ) | set(
        qs.filter(guardianships__guardian__user__is_demo=True).values_list(
            "current_class_id", flat=True
        )
    )
    chosen: list[Student] = []
    taken: dict[int, int] = {}
    for student in qs.order_by("current_class_id", "id"):
        cid = student.current_class_id
        assert cid is not None
        if cid in featured_classes or taken.get(cid, 0) < per_class:
            chosen.append(student)
            taken[cid] = taken.get(cid, 0) + 1
    return chosen


def portfolio_demo_fill(
    *,
    organisation_ids: Iterable[int] | None = None,
    seed: int = 2026,
    per_class: int = 3,
    photos: bool = True,
) -> dict[str, int]:
    """Fill portfolios of the demo students; returns counts of what was made.

    Idempotent per student: a student who already has achievements is skipped."""
    rng = random.Random(seed)
    today = clock.today()
    counts = {
        "students": 0,
        "clubs": 0,
        "achievements": 0,
        "diagnostics": 0,
        "testing": 0,
    }
    orgs = Organisation.objects.all()
    if organisation_ids is not None:
        orgs = orgs.filter(id__in=list(organisation_ids))
    org_list = list(orgs)
    for org in org_list:
        # The school's own table: olympiads weigh a little more than the defaults.
        services.points_table_save(
            organisation=org,
            values={
                services.points_key(Category.OLYMPIAD, "school", "1"): 12,
                services.points_key(Category.OLYMPIAD, "municipal", "1"): 25,
                services.points_key(Category.OLYMPIAD, "regional", "1"): 50,
            },
        )
    years = {org.id: current_year(org, on=today) for org in org_list}
    done = set(
        Achievement.objects.filter(student__organisation__in=org_list).values_list(
            "student_id", flat=True
        )
    )
    entries_by_class: dict[int, list[tuple[Any, Any]]] = {}
    for e in TimetableEntry.objects.filter(
        academic_year__organisation__in=org_list, class_unit__isnull=False
    ).select_related("subject", "teacher"):
        if e.class_unit_id is None:
            continue
        pairs = entries_by_class.setdefault(e.class_unit_id, [])
        if all(p[0].id != e.subject_id for p in pairs):
            pairs.append((e.subject, e.teacher))
    featured = _featured_ids([o.id for o in org_list])
    for student in _students([o.id for o in org_list], per_class):
        if student.id in done:
            continue
        year = years.get(student.organisation_id)
        if year is None:
            continue
        _fill_student(
            student,
            year=year,
            today=today,
            rng=rng,
            pairs=entries_by_class.get(student.current_class_id or 0, []),
            photos=photos,
            counts=counts,
            featured=student.id in featured,
        )
        counts["students"] += 1
    return counts


TOPICS = {
    "алгебр": [
        "Линейные уравнения",
        "Формулы сокращённого умножения",
        "Функции и графики",
    ],
    "геометр": ["Признаки равенства треугольников", "Параллельные прямые"],
    "математ": ["Дроби и проценты", "Координатная плоскость"],
    "русск": ["Причастный оборот", "Правописание приставок"],
    "литератур": ["Повести Белкина", "Былины"],
    "биолог": ["Клетка и её строение", "Царство растений"],
    "географ": ["Материки и океаны", "Атмосфера"],
    "истор": ["Смутное время", "Древний Египет"],
    "физик": ["Плотность вещества", "Давление"],
    "информат": ["Кодирование информации", "Алгоритмы"],
    "язык (": ["Present Perfect", "Irregular verbs"],
    "английск": ["Present Perfect", "Irregular verbs"],
    "окружающ": ["Природные зоны"],
}


def _topic(subject: str, rng: random.Random) -> str:
    name = subject.lower()
    for key, topics in TOPICS.items():
        if key in name:
            return rng.choice(topics)
    return f"Тематический тест: {subject}"


def _day(rng: random.Random, start: dt.date, today: dt.date) -> dt.date:
    span = max((min(today, start + dt.timedelta(days=240)) - start).days, 0)
    return start + dt.timedelta(days=rng.randint(0, span)) if span else start


def _fill_student(
    student: Student,
    *,
    year: Any,
    today: dt.date,
    rng: random.Random,
    pairs: list[tuple[Any, Any]],
    photos: bool,
    counts: dict[str, int],
    featured: bool = False,
) -> None:
    """``featured``: a student a demo login opens gets every section filled — a few clubs,
    all six spheres with a cover and a photo each, two olympiads, an elective."""
    reviewer = student.current_class.class_teacher if student.current_class else None
    year_name = year.name.replace(" ", "")
    calendar_year = str(year.start.year)
    n_clubs = 3 if featured else rng.randint(1, 3)
    for kind, direction, name, organisation_name, teacher in rng.sample(CLUBS, n_clubs):
        services.club_create(
            student=student,
            by=reviewer,
            data={"kind": kind, "direction": direction, "year": year_name, "name": name,
                  "organisation_name": organisation_name, "teacher_name": teacher},
        )  # fmt: skip
        counts["clubs"] += 1
    spheres = (
        list(SPHERE_ENTRIES) if featured else rng.sample(list(SPHERE_ENTRIES), rng.randint(2, 4))
    )
    for n, category in enumerate(spheres):
        data = dict(rng.choice(SPHERE_ENTRIES[category]))
        data["year"] = calendar_year
        uploads: list[tuple[str, UploadedFile]] = []
        if photos and (featured or n < 2):
            uploads.append(("cover", picture(data["name"], "Диплом", rng=rng, name="cover.jpg")))
            if featured or rng.random() < 0.5:
                uploads.append(
                    (
                        "photo",
                        picture(data["name"], student.short_name, rng=rng, name="photo.jpg"),
                    )
                )
        rounds = None
        if category in (
            Category.CONTEST,
            Category.RESEARCH,
            Category.SPORT,
            Category.COMPETITION,
        ):
            rounds = dict(rng.choice(ROUND_PATTERNS))
        if category == Category.PROJECT:
            data["present"], data["defended"] = "1", "1" if rng.random() < 0.6 else ""
        services.achievement_create(
            student=student,
            by=reviewer,
            category=category,
            data=data,
            confirmed=True,
            rounds=rounds,
            uploads=uploads,
        )
        counts["achievements"] += 1
    for title, subject in rng.sample(OLYMPIADS, 2 if featured else rng.randint(1, 2)):
        pattern = dict(rng.choice(ROUND_PATTERNS))
        uploads = (
            [("cover", picture(title, subject, rng=rng, name="olympiad.jpg"))] if photos else []
        )
        best = min(pattern.values(), key=lambda p: "123у".index(p))
        services.achievement_create(
            student=student,
            by=reviewer,
            category=Category.OLYMPIAD,
            data={"work_type": "Индивидуальная", "work_kind": "Предметная олимпиада",
                  "level": list(pattern)[-1], "subject": subject, "year": year_name,
                  "name": title, "result": {"1": "Победитель", "2": "Призёр", "3": "Призёр"}.get(best, "Участник"),
                  "teacher_name": reviewer.short_name if reviewer else ""},
            confirmed=True,
            rounds=pattern,
            uploads=uploads,
        )  # fmt: skip
        counts["achievements"] += 1
    if featured or rng.random() < 0.5:
        services.achievement_create(
            student=student,
            by=reviewer,
            category=Category.ELECTIVE,
            data={"name": "Финансовая грамотность", "year": year_name, "present": True,
                  "defended": rng.random() < 0.5},
            confirmed=True,
        )  # fmt: skip
        counts["achievements"] += 1
    # Entries the family added that wait for the class teacher («н/п»).
    if student.user_id or rng.random() < 0.3:
        family = student.user
        services.achievement_create(
            student=student,
            by=family,
            category=Category.CONTEST,
            data={"work_type": "Фотоконкурс", "name": "Зимние забавы", "year": calendar_year,
                  "level": "municipal", "result": "Участник"},
            confirmed=False,
            rounds={"municipal": "у"},
            uploads=[("photo", picture("Зимние забавы", "Фотоконкурс", rng=rng, name="winter.jpg"))]
            if photos else [],
        )  # fmt: skip
        counts["achievements"] += 1
    start = year.start
    if not pairs or today < start:
        return
    for kind, count in (("vpr", 2), ("niko", 1), ("regional", 2), ("control", 1)):
        for subject, _teacher in rng.sample(pairs, min(count, len(pairs))):
            n_tasks = rng.randint(5, 9)
            tasks: list[dict[str, Any]] = []
            for _ in range(n_tasks):
                top = rng.choice([1, 1, 2, 2, 3])
                tasks.append({"kes": rng.choice(KES), "kt": rng.choice(KT),
                              "score": rng.randint(0, top), "max": top})  # fmt: skip
            score = sum(t["score"] for t in tasks)
            top_score = sum(t["max"] for t in tasks)
            share = score / top_score
            mark = "5" if share >= 0.85 else "4" if share >= 0.65 else "3" if share >= 0.4 else "2"
            services.diagnostic_create(
                student=student,
                by=None,
                kind=kind,
                subject=subject,
                date=_day(rng, start, today),
                score=score,
                max_score=top_score,
                mark=mark,
                tasks=tasks,
            )
            counts["diagnostics"] += 1
    for subject, teacher in rng.sample(pairs, min(3, len(pairs))):
        top = rng.choice([10, 12, 20])
        services.testing_result_create(
            student=student,
            by=teacher,
            teacher=teacher,
            topic=_topic(subject.name, rng),
            date=_day(rng, start, today),
            subject=subject,
            score=rng.randint(top // 3, top),
            max_score=top,
            duration_minutes=rng.randint(8, 40),
            kes_codes=", ".join(sorted(rng.sample(KES, 2))),
            kt_codes=", ".join(sorted(rng.sample(KT, 2))),
        )
        counts["testing"] += 1
