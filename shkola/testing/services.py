"""Writes of online tests: the bank, tests, attempts, grading, and the way out to the journal
(``journal.services.mark_set``) and the portfolio (``portfolio.services.testing_result_create``).
Scoring rules are in the models' docstring."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import random
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from shkola.core import clock, uploads
from shkola.journal import services as journal_services
from shkola.portfolio import services as portfolio_services
from shkola.schools.models import ClassUnit, ControlForm, Organisation, Student, StudyGroup, Subject
from shkola.timetable.models import Lesson

from .models import (
    Attempt,
    AttemptQuestion,
    FinishReason,
    Question,
    QuestionKind,
    ReleaseMode,
    Test,
    TestItem,
)

MAX_OPTIONS = 10
MAX_OPTION_LENGTH = 300
MAX_ITEMS = 50
MAX_DRAW = 30
MAX_ANSWER_LENGTH = 4000
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


class Refusal(Exception):
    """A clear refusal for the student; nothing already saved is touched."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# ------------------------------------------------------------------ the question bank


def _lines(text: Any) -> list[str]:
    if isinstance(text, (list, tuple)):
        raw = [str(x) for x in text]
    else:
        raw = str(text or "").splitlines()
    return [line.strip() for line in raw if line.strip()]


def _decimal(text: Any) -> Decimal | None:
    try:
        value = Decimal(str(text).strip().replace(",", ".").replace(" ", ""))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() and abs(value) < Decimal("1e12") else None


def _options(lines: list[str], errors: dict[str, str], *, field: str, minimum: int) -> None:
    if len(lines) < minimum:
        errors[field] = _("Нужно не меньше %(n)s строк (каждая — с новой строки).") % {"n": minimum}
    elif len(lines) > MAX_OPTIONS:
        errors[field] = _("Не больше %(n)s строк.") % {"n": MAX_OPTIONS}
    elif any(len(line) > MAX_OPTION_LENGTH for line in lines):
        errors[field] = _("Строка длиннее %(n)s знаков.") % {"n": MAX_OPTION_LENGTH}


def question_data_clean(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    """The kind's ``data`` from the editor's fields: ``options`` (lines), ``correct`` (numbers
    of the right options, from 1), ``accepted`` (lines), ``value``/``tolerance``, ``left`` and
    ``right`` (lines), ``items`` (lines). Raises ValidationError naming the field."""
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        options = _lines(raw.get("options"))
        _options(options, errors, field="options", minimum=2)
        correct: list[int] = []
        for token in re.split(r"[\s,;]+", str(raw.get("correct") or "").strip()):
            if not token:
                continue
            if not (token.isascii() and token.isdigit()) or not 1 <= int(token) <= len(options):
                errors["correct"] = _("Правильные варианты: номера от 1 до %(n)s.") % {
                    "n": max(len(options), 1)
                }
                break
            if int(token) - 1 not in correct:
                correct.append(int(token) - 1)
        if "correct" not in errors:
            if not correct:
                errors["correct"] = _("Правильные варианты: укажите номер правильного варианта.")
            elif kind == QuestionKind.SINGLE and len(correct) != 1:
                errors["correct"] = _("Один вариант: правильный ровно один.")
        data = {"options": options, "correct": sorted(correct)}
    elif kind == QuestionKind.SHORT:
        accepted = _lines(raw.get("accepted"))
        if not accepted:
            errors["accepted"] = _("Принимаемые ответы: хотя бы один.")
        elif len(accepted) > MAX_OPTIONS or any(len(a) > MAX_OPTION_LENGTH for a in accepted):
            errors["accepted"] = _("Принимаемые ответы: не больше %(n)s строк по %(m)s знаков.") % {
                "n": MAX_OPTIONS,
                "m": MAX_OPTION_LENGTH,
            }
        data = {"accepted": accepted}
    elif kind == QuestionKind.NUMBER:
        value = _decimal(raw.get("value"))
        tolerance = _decimal(raw.get("tolerance") or "0")
        if value is None:
            errors["value"] = _("Правильное число: введите число, например 3,5.")
        if tolerance is None or tolerance < 0:
            errors["tolerance"] = _("Допуск: неотрицательное число, например 0,1.")
        data = {"value": str(value), "tolerance": str(tolerance)}
    elif kind == QuestionKind.MATCHING:
        left, right = _lines(raw.get("left")), _lines(raw.get("right"))
        _options(left, errors, field="left", minimum=2)
        _options(right, errors, field="right", minimum=2)
        if not errors and len(left) != len(right):
            errors["right"] = _("Соответствие: в правом столбце столько же строк, сколько в левом.")
        data = {"left": left, "right": right}
    elif kind == QuestionKind.ORDERING:
        items = _lines(raw.get("items"))
        _options(items, errors, field="items", minimum=2)
        data = {"items": items}
    elif kind == QuestionKind.FREE:
        data = {}
    else:
        errors["kind"] = _("Тип вопроса: выберите из списка.")
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def question_save(
    *,
    owner: Any,
    organisation: Organisation,
    subject: Subject,
    kind: str,
    text: str,
    data: dict[str, Any],
    points: int,
    topic: str = "",
    kes_codes: str = "",
    kt_codes: str = "",
    shared: bool = False,
    image: UploadedFile | None = None,
    remove_image: bool = False,
    question: Question | None = None,
) -> Question:
    """Create a question of ``owner``'s bank, or change ``question``. A question already in a
    student's attempt keeps its kind and answers (the attempt is scored by them): changing
    them is refused, the rest (wording, codes, image) may change."""
    errors: dict[str, str] = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = _("Текст вопроса: заполните.")
    elif len(text) > 4000:
        errors["text"] = _("Текст вопроса: не больше 4000 знаков.")
    if subject.organisation_id != organisation.pk:
        errors["subject"] = _("Предмет другой школы.")
    if not isinstance(points, int) or not 1 <= points <= 100:
        errors["points"] = _("Баллы: целое число от 1 до 100.")
    for name, value, limit in (
        ("topic", topic, 200),
        ("kes_codes", kes_codes, 100),
        ("kt_codes", kt_codes, 100),
    ):
        if len((value or "").strip()) > limit:
            errors[name] = _("Не больше %(n)s знаков.") % {"n": limit}
    try:
        clean = question_data_clean(kind, data)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        clean = {}
    checked = None
    if image is not None:
        try:
            checked = uploads.check_upload(image, field="image", image_only=True)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if question is not None and "kind" not in errors:
        used = AttemptQuestion.objects.filter(question=question).exists()
        if used and (question.kind != kind or question.data != clean or question.points != points):
            errors["kind"] = _(
                "Вопрос уже есть в попытках учеников: тип, ответы и баллы менять нельзя. "
                "Создайте новый вопрос."
            )
    if errors:
        raise ValidationError(errors)
    if question is None:
        question = Question(organisation=organisation, owner=owner)
    question.subject = subject
    question.kind = kind
    question.text = text
    question.data = clean
    question.points = points
    question.topic = (topic or "").strip()
    question.kes_codes = (kes_codes or "").strip()
    question.kt_codes = (kt_codes or "").strip()
    question.shared = bool(shared)
    if remove_image and question.image:
        question.image = ""  # type: ignore[assignment]
        question.image_type = ""
    if checked is not None:
        question.image.save(checked.name, checked.upload, save=False)
        question.image_type = checked.content_type
    question.save()
    return question


@transaction.atomic
def question_archive(*, question: Question) -> Question:
    """Out of the bank (and its draws); attempts that had it keep it."""
    question.archived = True
    question.save(update_fields=["archived", "updated_at"])
    return question


# ------------------------------------------------------------------ tests


def _aware(value: Any, field: str, errors: dict[str, str], label: str) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        errors[field] = _("%(f)s: укажите дату и время.") % {"f": label}
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@transaction.atomic
def test_save(
    *,
    owner: Any,
    organisation: Organisation,
    subject: Subject,
    title: str,
    opens_at: Any,
    closes_at: Any,
    description: str = "",
    time_limit_minutes: int | None = None,
    attempts_allowed: int = 1,
    shuffle_questions: bool = False,
    shuffle_options: bool = True,
    class_units: Sequence[ClassUnit] = (),
    groups: Sequence[StudyGroup] = (),
    mark5_percent: int = 85,
    mark4_percent: int = 65,
    mark3_percent: int = 45,
    release_mode: str = ReleaseMode.MANUAL,
    test: Test | None = None,
) -> Test:
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Тема теста: заполните.")
    elif len(title) > 300:
        errors["title"] = _("Тема теста: не больше 300 знаков.")
    if len(description or "") > 2000:
        errors["description"] = _("Пояснение: не больше 2000 знаков.")
    if subject.organisation_id != organisation.pk:
        errors["subject"] = _("Предмет другой школы.")
    opens = _aware(opens_at, "opens_at", errors, _("Открывается"))
    closes = _aware(closes_at, "closes_at", errors, _("Закрывается"))
    if opens and closes and closes <= opens:
        errors["closes_at"] = _("Закрывается: позже, чем открывается.")
    if time_limit_minutes is not None and not 1 <= time_limit_minutes <= 600:
        errors["time_limit_minutes"] = _("Время на попытку: от 1 до 600 минут или пусто.")
    if not 1 <= attempts_allowed <= 10:
        errors["attempts_allowed"] = _("Попыток: от 1 до 10.")
    if not 0 < mark3_percent < mark4_percent < mark5_percent <= 100:
        errors["mark5_percent"] = _(
            "Шкала: пороги «3» < «4» < «5», от 1 до 100 %, например 45, 65, 85."
        )
    if release_mode not in ReleaseMode.values:
        errors["release_mode"] = _("Показ ответов: выберите из списка.")
    if any(c.parallel.organisation_id != organisation.pk for c in class_units) or any(
        g.organisation_id != organisation.pk for g in groups
    ):
        errors["class_units"] = _("Классы и группы — только своей школы.")
    if errors:
        raise ValidationError(errors)
    if test is None:
        test = Test(organisation=organisation, owner=owner)
    test.subject = subject
    test.title = title
    test.description = (description or "").strip()
    test.opens_at = opens  # type: ignore[assignment]
    test.closes_at = closes  # type: ignore[assignment]
    test.time_limit_minutes = time_limit_minutes
    test.attempts_allowed = attempts_allowed
    test.shuffle_questions = shuffle_questions
    test.shuffle_options = shuffle_options
    test.mark5_percent, test.mark4_percent, test.mark3_percent = (
        mark5_percent,
        mark4_percent,
        mark3_percent,
    )
    test.release_mode = release_mode
    test.save()
    test.class_units.set(class_units)
    test.groups.set(groups)
    return test


def bank_q(owner: Any, organisation_id: int) -> Q:
    """The questions a teacher may use: their own and colleagues' shared ones, of the school."""
    return Q(organisation_id=organisation_id, archived=False) & (Q(owner=owner) | Q(shared=True))


@transaction.atomic
def test_item_add(
    *,
    test: Test,
    question: Question | None = None,
    draw_count: int = 0,
    draw_topic: str = "",
    draw_kes: str = "",
) -> TestItem:
    """A fixed question of the bank, or a draw of ``draw_count`` questions of the test's
    subject filtered by topic and КЭС; the bank must hold enough of them."""
    locked = Test.objects.select_for_update().get(pk=test.pk)
    items = list(locked.items.all())
    if len(items) >= MAX_ITEMS:
        raise ValidationError(
            {"question": _("В тесте не больше %(n)s позиций.") % {"n": MAX_ITEMS}}
        )
    pool = Question.objects.filter(bank_q(locked.owner, locked.organisation_id))
    if question is not None:
        if not pool.filter(pk=question.pk).exists():
            raise ValidationError({"question": _("Вопрос не из вашего банка.")})
        if question.subject_id != locked.subject_id:
            raise ValidationError({"question": _("Вопрос другого предмета.")})
        if any(i.question_id == question.pk for i in items):
            raise ValidationError({"question": _("Этот вопрос уже в тесте.")})
        draw_count = 0
    else:
        draw_topic, draw_kes = (draw_topic or "").strip()[:200], (draw_kes or "").strip()[:100]
        if not 1 <= draw_count <= MAX_DRAW:
            raise ValidationError(
                {"draw_count": _("Сколько вопросов: от 1 до %(n)s.") % {"n": MAX_DRAW}}
            )
        found = len(_draw_pool(locked, draw_topic, draw_kes))
        if found < draw_count:
            raise ValidationError(
                {
                    "draw_count": _("В банке по этому отбору %(found)s вопросов, а нужно %(n)s.")
                    % {"found": found, "n": draw_count}
                }
            )
    return TestItem.objects.create(
        test=locked,
        position=max((i.position for i in items), default=0) + 1,
        question=question,
        draw_count=draw_count,
        draw_topic=draw_topic,
        draw_kes=draw_kes,
    )


def _draw_pool(test: Test, topic: str, kes: str) -> list[Question]:
    """The bank's questions a draw picks from. Topic and КЭС are compared in Python: SQLite
    folds only Latin letters, and a school's bank of one subject is small."""
    pool = Question.objects.filter(
        bank_q(test.owner_id, test.organisation_id), subject_id=test.subject_id
    ).order_by("id")
    wanted_kes = _norm(kes)
    return [
        q
        for q in pool
        if (not topic or _norm(q.topic) == _norm(topic))
        and (not wanted_kes or wanted_kes in re.split(r"[\s,;]+", _norm(q.kes_codes)))
    ]


@transaction.atomic
def test_item_remove(*, item: TestItem) -> None:
    item.delete()


@transaction.atomic
def test_publish(*, test: Test) -> Test:
    if not test.items.exists():
        raise ValidationError({"items": _("Добавьте в тест хотя бы один вопрос.")})
    if not test.class_units.exists() and not test.groups.exists():
        raise ValidationError({"class_units": _("Выберите класс или группу, для которых тест.")})
    if test.published_at is None:
        test.published_at = clock.now()
        test.save(update_fields=["published_at"])
    return test


@transaction.atomic
def test_release_answers(*, test: Test, release: bool = True) -> Test:
    test.released_at = clock.now() if release else None
    test.save(update_fields=["released_at"])
    return test


def answers_released(test: Test, now: dt.datetime | None = None) -> bool:
    now = now or clock.now()
    if test.released_at is not None:
        return True
    return test.release_mode == ReleaseMode.AFTER_CLOSE and now >= test.closes_at


def answers_shown_to_student(
    test: Test, attempts_used: int, now: dt.datetime | None = None
) -> bool:
    """Released answers are shown to a student only once the test has closed or the student
    has no attempts left: otherwise they could read them after attempt 1 and take attempt 2."""
    now = now or clock.now()
    return answers_released(test, now) and (
        now >= test.closes_at or attempts_used >= test.attempts_allowed
    )


# ------------------------------------------------------------------ taking a test


def test_is_for(test: Test, student: Student) -> bool:
    if test.published_at is None or test.organisation_id != student.organisation_id:
        return False
    if student.current_class_id and test.class_units.filter(pk=student.current_class_id).exists():
        return True
    return test.groups.filter(students=student).exists()


def _picked_questions(test: Test, rng: random.Random) -> list[Question]:
    picked: list[Question] = []
    taken: set[int] = set()
    items = list(test.items.select_related("question").order_by("position", "id"))
    taken.update(i.question_id for i in items if i.question_id)
    for item in items:
        if item.question is not None:
            picked.append(item.question)
            continue
        pool = [q for q in _draw_pool(test, item.draw_topic, item.draw_kes) if q.pk not in taken]
        chosen = rng.sample(pool, min(item.draw_count, len(pool)))
        taken.update(q.pk for q in chosen)
        picked.extend(chosen)
    if test.shuffle_questions:
        rng.shuffle(picked)
    return picked


def _order_for(question: Question, shuffle: bool, rng: random.Random) -> list[int]:
    size = {
        QuestionKind.SINGLE: len(question.data.get("options", [])),
        QuestionKind.MULTIPLE: len(question.data.get("options", [])),
        QuestionKind.MATCHING: len(question.data.get("right", [])),
        QuestionKind.ORDERING: len(question.data.get("items", [])),
    }.get(QuestionKind(question.kind), 0)
    order = list(range(size))
    # Ordering is always shown shuffled: in the right order it would answer itself.
    if size > 1 and (shuffle or question.kind == QuestionKind.ORDERING):
        for _ in range(5):
            rng.shuffle(order)
            if question.kind != QuestionKind.ORDERING or order != sorted(order):
                break
    return order


def attempt_deadline(test: Test, started: dt.datetime) -> dt.datetime:
    if test.time_limit_minutes:
        return min(started + dt.timedelta(minutes=test.time_limit_minutes), test.closes_at)
    return test.closes_at


def _schedule_expiry(attempt: Attempt) -> None:
    """The worker finishes the attempt at its deadline even if the student never returns,
    when the backend can defer (the database worker can); otherwise the next request does."""
    from django.tasks import default_task_backend

    if not default_task_backend.supports_defer:
        return
    pk, due = attempt.pk, attempt.deadline

    def enqueue() -> None:
        from .tasks import expire_attempt

        expire_attempt.using(run_after=due).enqueue(pk)

    transaction.on_commit(enqueue)


def attempt_start(*, test: Test, student: Student, seed: int | None = None) -> Attempt:
    """The student's unfinished attempt (resumed where it stopped), else a new one; refusals:
    not for this student, not open yet, closed, attempts used up."""
    now = clock.now()
    # An attempt whose time is up is closed first, in its own transaction: a refusal that
    # follows must not undo it.
    for stale in Attempt.objects.filter(test=test, student=student, finished_at__isnull=True):
        attempt_expire_if_due(attempt=stale, now=now)
    return _attempt_start(test=test, student=student, seed=seed, now=now)


@transaction.atomic
def _attempt_start(*, test: Test, student: Student, seed: int | None, now: dt.datetime) -> Attempt:
    locked = Test.objects.select_for_update().get(pk=test.pk)
    if not test_is_for(locked, student):
        raise Refusal(_("Этот тест не назначен вашему классу."), code="not_for_you")
    open_one = Attempt.objects.filter(
        test=locked, student=student, finished_at__isnull=True
    ).first()
    if open_one is not None:
        return open_one
    if now < locked.opens_at:
        raise Refusal(
            _("Тест откроется %(when)s.")
            % {"when": formats.date_format(timezone.localtime(locked.opens_at), "j E, H:i")},
            code="not_open",
        )
    if now >= locked.closes_at:
        raise Refusal(_("Тест закрыт: время сдачи вышло."), code="closed")
    used = Attempt.objects.filter(test=locked, student=student).count()
    if used >= locked.attempts_allowed:
        raise Refusal(
            _("Попытки закончились: использовано %(used)s из %(n)s.")
            % {"used": used, "n": locked.attempts_allowed},
            code="exhausted",
        )
    rng = random.Random(seed)
    questions = _picked_questions(locked, rng)
    if not questions:
        raise Refusal(_("В тесте пока нет вопросов."), code="empty")
    attempt = Attempt.objects.create(
        test=locked,
        student=student,
        number=used + 1,
        started_at=now,
        deadline=attempt_deadline(locked, now),
        max_score=sum(Decimal(q.points) for q in questions),
    )
    AttemptQuestion.objects.bulk_create(
        AttemptQuestion(
            attempt=attempt,
            position=i,
            question=q,
            points=q.points,
            order=_order_for(q, locked.shuffle_options, rng),
        )
        for i, q in enumerate(questions, start=1)
    )
    _schedule_expiry(attempt)
    return attempt


def answer_codes(aq: AttemptQuestion) -> list[int]:
    """Matching and ordering: the page calls original item ``j`` (of the right column, or of
    the items to order) ``codes[j]`` — a permutation of its own for each attempt's question,
    keyed by SECRET_KEY and never the identity, so neither a field's name nor an option's
    value tells the right answer (left[i] goes with right[i]; item i's place is i)."""
    q = aq.question
    key = "right" if q.kind == QuestionKind.MATCHING else "items"
    size = (
        len(q.data.get(key, [])) if q.kind in (QuestionKind.MATCHING, QuestionKind.ORDERING) else 0
    )
    digest = hmac.new(
        str(settings.SECRET_KEY).encode(),
        f"testing-codes:{aq.attempt_id}:{aq.position}:{q.pk}".encode(),
        hashlib.sha256,
    ).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    codes = list(range(size))
    while size > 1 and codes == sorted(codes):
        rng.shuffle(codes)
    return codes


def answer_fields(aq: AttemptQuestion, answer: Any) -> dict[str, list[str]]:
    """The page's fields that give ``answer`` (as stored): the inverse of ``answer_clean``."""
    kind = aq.question.kind
    if answer is None:
        return {}
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return {"choice": [str(i) for i in answer]}
    if kind == QuestionKind.MATCHING:
        codes = answer_codes(aq)
        return {f"pair_{i}": [str(codes[p])] for i, p in enumerate(answer) if p is not None}
    if kind == QuestionKind.ORDERING:
        codes = answer_codes(aq)
        return {f"place_{codes[j]}": [str(p)] for j, p in enumerate(answer) if p is not None}
    return {"text": [str(answer)]}


def answer_clean(aq: AttemptQuestion, raw: dict[str, Any]) -> Any:
    """The answer as stored, from the page's fields (``choice`` values are option indexes,
    ``text``, ``pair_<i>`` the code (``answer_codes``) of the right item for left item i,
    ``place_<code>`` the place, from 0, of the item with that code). Empty → None (no
    answer). Raises Refusal for what cannot be an answer."""
    q = aq.question
    kind = q.kind
    bad = Refusal(_("Ответ не понят: выберите из предложенного."), code="bad_answer")

    def index(value: Any, size: int) -> int:
        text = str(value)
        if not (text.isascii() and text.isdigit()) or int(text) >= size:
            raise bad
        return int(text)

    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        size = len(q.data.get("options", []))
        chosen = sorted({index(v, size) for v in raw.get("choice", [])})
        if kind == QuestionKind.SINGLE and len(chosen) > 1:
            raise bad
        return chosen or None
    if kind in (QuestionKind.SHORT, QuestionKind.NUMBER, QuestionKind.FREE):
        text = str((raw.get("text") or [""])[0]).strip()
        if len(text) > MAX_ANSWER_LENGTH:
            raise Refusal(
                _("Ответ длиннее %(n)s знаков.") % {"n": MAX_ANSWER_LENGTH}, code="too_long"
            )
        if kind == QuestionKind.NUMBER and text and _decimal(text) is None:
            raise Refusal(_("Нужно число, например 3,5."), code="not_number")
        return text or None
    if kind == QuestionKind.MATCHING:
        size = len(q.data.get("left", []))
        codes = answer_codes(aq)
        pairs: list[int | None] = []
        for i in range(size):
            value = (raw.get(f"pair_{i}") or [""])[0]
            pairs.append(codes.index(index(value, size)) if value != "" else None)
        return pairs if any(p is not None for p in pairs) else None
    if kind == QuestionKind.ORDERING:
        size = len(q.data.get("items", []))
        codes = answer_codes(aq)
        places: list[int | None] = [None] * size
        for j in range(size):
            value = (raw.get(f"place_{codes[j]}") or [""])[0]
            places[j] = index(value, size) if value != "" else None
        return places if any(p is not None for p in places) else None
    raise bad


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


def answer_score(question: Question, points: int, answer: Any) -> Decimal | None:
    """Points earned (see the models' docstring); None for a free answer (the teacher's)."""
    kind = question.kind
    full = Decimal(points)
    data = question.data
    if kind == QuestionKind.FREE:
        return None
    if answer is None:
        return Decimal(0)
    share: Decimal
    if kind == QuestionKind.SINGLE:
        share = Decimal(1 if answer == data["correct"] else 0)
    elif kind == QuestionKind.MULTIPLE:
        right = set(data["correct"])
        chosen = set(answer)
        share = max(Decimal(0), Decimal(len(chosen & right) - len(chosen - right)) / len(right))
    elif kind == QuestionKind.SHORT:
        share = Decimal(1 if _norm(answer) in {_norm(a) for a in data["accepted"]} else 0)
    elif kind == QuestionKind.NUMBER:
        given = _decimal(answer)
        share = Decimal(
            1
            if given is not None
            and abs(given - Decimal(data["value"])) <= Decimal(data["tolerance"])
            else 0
        )
    elif kind == QuestionKind.MATCHING:
        size = len(data["left"])
        share = Decimal(sum(1 for i, p in enumerate(answer) if p == i)) / size
    elif kind == QuestionKind.ORDERING:
        size = len(data["items"])
        share = Decimal(sum(1 for i, p in enumerate(answer) if p == i)) / size
    else:
        return Decimal(0)
    return (full * share).quantize(CENT, rounding=ROUND_HALF_UP)


def _lock_attempt(attempt: Attempt) -> Attempt:
    return Attempt.objects.select_for_update().select_related("test").get(pk=attempt.pk)


def attempt_answer(
    *, attempt: Attempt, position: int, raw: dict[str, Any], now: dt.datetime | None = None
) -> AttemptQuestion:
    """Save one answer as given. A finished attempt or an answer after the deadline is
    refused (the attempt closes itself then) and the saved answers stay; a position not in
    the attempt raises AttemptQuestion.DoesNotExist (the view's 404)."""
    now = now or clock.now()
    if not AttemptQuestion.objects.filter(attempt_id=attempt.pk, position=position).exists():
        raise AttemptQuestion.DoesNotExist
    if attempt_expire_if_due(attempt=attempt, now=now):
        raise Refusal(
            _("Время вышло: ответ не принят, сохранённые ответы на месте. Попытка завершена."),
            code="late",
        )
    return _attempt_answer(attempt=attempt, position=position, raw=raw, now=now)


@transaction.atomic
def _attempt_answer(
    *, attempt: Attempt, position: int, raw: dict[str, Any], now: dt.datetime
) -> AttemptQuestion:
    locked = _lock_attempt(attempt)
    aq = (
        AttemptQuestion.objects.select_related("question")
        .select_for_update(of=("self",))
        .get(attempt=locked, position=position)
    )
    if locked.finished_at is not None and locked.finish_reason == FinishReason.TIMEOUT:
        raise Refusal(
            _("Время вышло: ответ не принят, сохранённые ответы на месте. Попытка завершена."),
            code="late",
        )
    if locked.finished_at is not None:
        raise Refusal(
            _("Попытка уже завершена: ответ не принят, сохранённые ответы на месте."),
            code="finished",
        )
    if now >= locked.deadline:
        raise Refusal(_("Время вышло: ответ не принят."), code="late")
    aq.answer = answer_clean(aq, raw)
    aq.answered_at = now
    aq.save(update_fields=["answer", "answered_at"])
    if locked.current_position != position:
        locked.current_position = position
        locked.save(update_fields=["current_position"])
    return aq


@transaction.atomic
def attempt_move(*, attempt: Attempt, position: int) -> None:
    """Remember the question the student is on, so reopening the page resumes there."""
    Attempt.objects.filter(pk=attempt.pk, finished_at__isnull=True).update(
        current_position=position
    )


def _total(attempt: Attempt) -> None:
    rows = list(attempt.questions.all())
    attempt.score = sum((r.score or Decimal(0) for r in rows), Decimal(0))
    attempt.needs_review = any(r.score is None for r in rows)
    attempt.mark = "" if attempt.needs_review else mark_for(attempt.test, attempt.percent)


def mark_for(test: Test, percent: float) -> str:
    # A hair under a threshold from float division must not lose a mark: 84.9999 is 85.
    percent = math.floor(percent * 100 + 0.5) / 100
    if percent >= test.mark5_percent:
        return "5"
    if percent >= test.mark4_percent:
        return "4"
    if percent >= test.mark3_percent:
        return "3"
    return "2"


def _finish(attempt: Attempt, reason: str, now: dt.datetime) -> None:
    rows = list(attempt.questions.select_related("question"))
    for row in rows:
        row.score = answer_score(row.question, row.points, row.answer)
        if row.question.kind == QuestionKind.FREE and row.answer is None:
            row.score = Decimal(0)  # nothing written: nothing to grade
    AttemptQuestion.objects.bulk_update(rows, ["score"])
    attempt.finished_at = min(now, attempt.deadline)
    attempt.finish_reason = reason
    _total(attempt)
    attempt.save(update_fields=["finished_at", "finish_reason", "score", "needs_review", "mark"])


@transaction.atomic
def attempt_finish(*, attempt: Attempt, now: dt.datetime | None = None) -> tuple[Attempt, bool]:
    """Finish and score. Returns (attempt, finished_now): a second finish changes nothing."""
    now = now or clock.now()
    locked = _lock_attempt(attempt)
    if locked.finished_at is not None:
        return locked, False
    reason = FinishReason.TIMEOUT if now >= locked.deadline else FinishReason.SUBMITTED
    _finish(locked, reason, now)
    return locked, True


def attempt_expire_if_due(*, attempt: Attempt, now: dt.datetime | None = None) -> bool:
    """Close an attempt whose deadline passed (any request touching it calls this)."""
    now = now or clock.now()
    if attempt.finished_at is not None or now < attempt.deadline:
        return False
    with transaction.atomic():
        locked = _lock_attempt(attempt)
        if locked.finished_at is None:
            _finish(locked, FinishReason.TIMEOUT, now)
    attempt.refresh_from_db()
    return True


def attempts_expire_due(*, now: dt.datetime | None = None) -> int:
    now = now or clock.now()
    due = list(Attempt.objects.filter(finished_at__isnull=True, deadline__lte=now)[:500])
    return sum(1 for a in due if attempt_expire_if_due(attempt=a, now=now))


# ------------------------------------------------------------------ the teacher's results


@transaction.atomic
def answer_grade(
    *, attempt_question: AttemptQuestion, score: Any, by: Any, feedback: str = ""
) -> Attempt:
    """The teacher's points for an answer (a free answer, or overriding the automatic
    score); the attempt's total and mark follow. Refused once the mark went to the journal or
    the portfolio."""
    aq = AttemptQuestion.objects.select_for_update().get(pk=attempt_question.pk)
    attempt = _lock_attempt(aq.attempt)
    if attempt.finished_at is None:
        raise ValidationError({"score": _("Попытка ещё идёт: оценить можно после её завершения.")})
    if attempt.journal_lesson_id is not None or attempt.portfolio_result_id is not None:
        # The mark already sent would no longer match the attempt's.
        raise ValidationError(
            {
                "score": _(
                    "Отметка уже выставлена в журнал или портфолио: баллы менять нельзя. "
                    "Исправьте отметку в самом журнале."
                )
            }
        )
    value = _decimal(score)
    if value is None or value < 0 or value > aq.points:
        raise ValidationError({"score": _("Баллы: число от 0 до %(n)s.") % {"n": aq.points}})
    if len(feedback or "") > 1000:
        raise ValidationError({"feedback": _("Комментарий: не больше 1000 знаков.")})
    aq.score = value.quantize(CENT, rounding=ROUND_HALF_UP)
    aq.graded_by = by
    aq.feedback = (feedback or "").strip()
    aq.save(update_fields=["score", "graded_by", "feedback"])
    _total(attempt)
    attempt.save(update_fields=["score", "needs_review", "mark"])
    return attempt


@transaction.atomic
def attempt_to_journal(
    *,
    attempt: Attempt,
    lesson: Lesson,
    control_form: ControlForm | None,
    by: Any,
    may_edit_closed: bool = False,
) -> Attempt:
    """«Выставить в журнал»: the attempt's mark on ``lesson`` of the student's class (or
    group) and the test's subject, added to what the cell holds, through ``mark_set`` — the
    grid's path with its history, notifications and closed-period refusal. A lesson without a
    form of control takes ``control_form``; a lesson with one keeps it (None: «как у урока»),
    and a different one is refused — it would re-weigh the classmates' marks."""
    locked = _lock_attempt(attempt)
    student = Student.objects.select_related("current_class").get(pk=locked.student_id)
    if locked.finished_at is None or locked.needs_review or not locked.mark:
        raise ValidationError(
            {"lesson": _("Отметки ещё нет: попытка не завершена или не проверена.")}
        )
    if locked.journal_lesson_id is not None:
        raise ValidationError(
            {"lesson": _("Отметка уже в журнале. Изменить её можно в самом журнале.")}
        )
    in_class = lesson.group_id is None and lesson.class_unit_id == student.current_class_id
    in_group = lesson.group_id is not None and lesson.group.students.filter(pk=student.pk).exists()  # type: ignore[union-attr]
    if lesson.subject_id != locked.test.subject_id or not (in_class or in_group):
        raise ValidationError({"lesson": _("Урок не того предмета или не класса ученика.")})
    if (
        control_form is not None
        and lesson.control_form_id is not None
        and control_form.pk != lesson.control_form_id
    ):
        # Changing the lesson's form would re-weigh every classmate's mark on it.
        raise ValidationError(
            {
                "control_form": _(
                    "Форма контроля: у урока уже «%(name)s» — выберите «как у урока» "
                    "или другой урок."
                )
                % {"name": lesson.control_form.name if lesson.control_form else ""}
            }
        )
    if control_form is not None and control_form.organisation_id != locked.test.organisation_id:
        raise ValidationError({"control_form": _("Форма контроля: выберите форму своей школы.")})
    if control_form is not None and lesson.control_form_id is None:
        lesson = journal_services.lesson_update(
            lesson=lesson,
            topic=lesson.topic,
            control_form=control_form,
            user=by,
            may_edit_closed=may_edit_closed,
        )
    cell = journal_services.cell_load(lesson=lesson, student=student)
    try:
        journal_services.mark_set(
            lesson=lesson,
            student=student,
            text=f"{cell.text} {locked.mark}".strip(),
            fingerprint=cell.fingerprint,
            user=by,
            may_edit_closed=may_edit_closed,
        )
    except journal_services.CellConflict as exc:
        raise ValidationError(
            {"lesson": _("Клетку журнала только что изменили. Отправьте ещё раз.")}
        ) from exc
    locked.journal_lesson = lesson
    locked.journal_at = clock.now()
    locked.save(update_fields=["journal_lesson", "journal_at"])
    return locked


def _codes(values: list[str]) -> str:
    seen: list[str] = []
    for value in values:
        for code in re.split(r"[\s,;]+", value or ""):
            if code and code not in seen:
                seen.append(code)
    return ", ".join(seen)


@transaction.atomic
def attempt_to_portfolio(*, attempt: Attempt, by: Any) -> Attempt:
    """The result, with the КЭС/КТ of its tasks, as a portfolio «Тестирование» row (E7)."""
    locked = _lock_attempt(attempt)
    if locked.finished_at is None or locked.needs_review:
        raise ValidationError({"portfolio": _("Результата ещё нет: попытка не проверена.")})
    if locked.portfolio_result_id is not None:
        raise ValidationError({"portfolio": _("Результат уже в портфолио.")})
    questions = [aq.question for aq in locked.questions.select_related("question")]
    student = Student.objects.select_related("current_class__parallel").get(pk=locked.student_id)
    seconds = (locked.finished_at - locked.started_at).total_seconds()
    result = portfolio_services.testing_result_create(
        student=student,
        by=by,
        topic=locked.test.title,
        date=timezone.localtime(locked.finished_at).date(),
        subject=locked.test.subject,
        score=locked.score.quantize(TENTH, rounding=ROUND_HALF_UP),
        max_score=locked.max_score,
        duration_minutes=max(1, min(600, math.ceil(seconds / 60))),
        kes_codes=_codes([q.kes_codes for q in questions])[:300],
        kt_codes=_codes([q.kt_codes for q in questions])[:300],
        teacher=locked.test.owner,
    )
    locked.portfolio_result_id = result.pk
    locked.save(update_fields=["portfolio_result_id"])
    return locked
