"""Writes of courses: the course and its modules, materials and assignments; a student's
sign-up and work; the teacher's feedback and the mark that goes into the journal through
``journal.services.mark_set`` (history, notifications and the closed-period refusal, exactly
as if typed in the grid)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import nh3
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from shkola.core import clock, uploads
from shkola.journal import services as journal_services
from shkola.journal.models import Mark
from shkola.schools.models import (
    ClassUnit,
    ControlForm,
    Organisation,
    Student,
    StudyGroup,
    Subject,
)
from shkola.timetable.models import Lesson

from . import selectors
from .models import (
    Assignment,
    Course,
    CourseSignup,
    Material,
    MaterialKind,
    MaterialView,
    Module,
    Submission,
    SubmissionFile,
    SubmissionStatus,
)

MAX_SUBMISSION_FILES = 5
COURSE_MARKS = ("5", "4", "3", "2", "зач", "незач")

# What a teacher's text may keep (everything else, <script> with its content, on* attributes
# and javascript: links included, is removed before it is stored).
ALLOWED_TAGS = {
    "p", "br", "b", "strong", "i", "em", "u", "s", "sub", "sup", "mark", "small",
    "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "pre", "code", "hr", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}
http_url = URLValidator(schemes=["http", "https"])
HTML_TAG = re.compile(r"<[a-zA-Z!/]")


def clean_html(text: str) -> str:
    """The teacher's text as safe HTML: plain text becomes paragraphs; HTML keeps only the
    allow-list. Links open in a new tab without the opener."""
    text = (text or "").strip()
    if not text:
        return ""
    if not HTML_TAG.search(text):
        return linebreaks(escape(text))
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"target": "_blank"}},
    ).strip()


def _limit(model: Any, name: str) -> int:
    return int(model._meta.get_field(name).max_length)


def _text(value: str, model: Any, name: str, label: str, *, required: bool) -> tuple[str, str]:
    """(cleaned value, error or "")."""
    value = (value or "").strip()
    if required and not value:
        return value, _("%(f)s: заполните поле.") % {"f": label}
    limit = _limit(model, name)
    if len(value) > limit:
        return value, _("%(f)s: не больше %(n)s знаков.") % {"f": label, "n": limit}
    return value, ""


# ------------------------------------------------------------------ courses


def _course_fields(
    *,
    organisation: Organisation,
    title: str,
    description: str,
    subject: Subject | None,
    teachers: Sequence[Any],
    class_units: Sequence[ClassUnit],
    groups: Sequence[StudyGroup],
    open_enrolment: bool,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    title, e = _text(title, Course, "title", _("Название"), required=True)
    if e:
        errors["title"] = e
    description, e = _text(description, Course, "description", _("Описание"), required=False)
    if e:
        errors["description"] = e
    if subject is not None and subject.organisation_id != organisation.pk:
        errors["subject"] = _("Предмет: выберите предмет своей школы.")
    if not teachers:
        errors["teachers"] = _("Учителя: выберите хотя бы одного учителя.")
    if any(c.parallel.organisation_id != organisation.pk for c in class_units):
        errors["class_units"] = _("Классы: выберите классы своей школы.")
    if any(g.organisation_id != organisation.pk for g in groups):
        errors["groups"] = _("Группы: выберите группы своей школы.")
    if not class_units and not groups and not open_enrolment:
        errors["class_units"] = _(
            "Для кого курс: выберите классы или группы, или откройте свободную запись."
        )
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("Окончание раньше начала.")
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "description": description,
        "subject": subject,
        "open_enrolment": open_enrolment,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }


@transaction.atomic
def course_create(
    *,
    organisation: Organisation,
    by: Any,
    title: str,
    description: str = "",
    subject: Subject | None = None,
    teachers: Sequence[Any],
    class_units: Sequence[ClassUnit] = (),
    groups: Sequence[StudyGroup] = (),
    open_enrolment: bool = False,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> Course:
    data = _course_fields(
        organisation=organisation,
        title=title,
        description=description,
        subject=subject,
        teachers=teachers,
        class_units=class_units,
        groups=groups,
        open_enrolment=open_enrolment,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    course = Course.objects.create(organisation=organisation, created_by=by, **data)
    course.teachers.set(teachers)
    course.class_units.set(class_units)
    course.groups.set(groups)
    return course


@transaction.atomic
def course_update(
    *,
    course: Course,
    title: str,
    description: str = "",
    subject: Subject | None = None,
    teachers: Sequence[Any],
    class_units: Sequence[ClassUnit] = (),
    groups: Sequence[StudyGroup] = (),
    open_enrolment: bool = False,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> Course:
    data = _course_fields(
        organisation=course.organisation,
        title=title,
        description=description,
        subject=subject,
        teachers=teachers,
        class_units=class_units,
        groups=groups,
        open_enrolment=open_enrolment,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    for name, value in data.items():
        setattr(course, name, value)
    course.save()
    course.teachers.set(teachers)
    course.class_units.set(class_units)
    course.groups.set(groups)
    return course


@transaction.atomic
def course_sign_up(*, course: Course, student: Student) -> CourseSignup:
    if not course.open_enrolment or student.organisation_id != course.organisation_id:
        raise ValidationError({"course": _("На этот курс запись закрыта.")})
    signup, _created = CourseSignup.objects.get_or_create(course=course, student=student)
    return signup


@transaction.atomic
def course_leave(*, course: Course, student: Student) -> None:
    """Leave an open course. Works already sent stay (the teacher may still return them)."""
    CourseSignup.objects.filter(course=course, student=student).delete()


# ------------------------------------------------------------------ modules and content


def _next_position(queryset: Any) -> int:
    return int(queryset.aggregate(m=Max("position"))["m"] or 0) + 1


@transaction.atomic
def module_create(*, course: Course, title: str) -> Module:
    title, e = _text(title, Module, "title", _("Название модуля"), required=True)
    if e:
        raise ValidationError({"title": e})
    return Module.objects.create(
        course=course, title=title, position=_next_position(Module.objects.filter(course=course))
    )


@transaction.atomic
def module_update(*, module: Module, title: str) -> Module:
    title, e = _text(title, Module, "title", _("Название модуля"), required=True)
    if e:
        raise ValidationError({"title": e})
    module.title = title
    module.save(update_fields=["title"])
    return module


@transaction.atomic
def material_add(
    *,
    module: Module,
    kind: str,
    title: str,
    text: str = "",
    url: str = "",
    upload: UploadedFile | None = None,
) -> Material:
    """A text (sanitised rich text), a file (checked upload) or a link (http/https only)."""
    errors: dict[str, str] = {}
    if kind not in MaterialKind.values:
        raise ValidationError({"kind": _("Вид материала: выберите текст, файл или ссылку.")})
    title, e = _text(title, Material, "title", _("Заголовок"), required=True)
    if e:
        errors["title"] = e
    body = ""
    checked = None
    if kind == MaterialKind.TEXT:
        if len(text or "") > 50_000:
            errors["text"] = _("Текст: не больше 50 000 знаков.")
        else:
            body = clean_html(text)
            if not body:
                errors["text"] = _("Текст: напишите текст материала.")
    elif kind == MaterialKind.LINK:
        url = (url or "").strip()
        if not url:
            errors["url"] = _("Ссылка: укажите адрес.")
        elif len(url) > _limit(Material, "url"):
            errors["url"] = _("Ссылка: не больше %(n)s знаков.") % {"n": _limit(Material, "url")}
        else:
            try:
                http_url(url)
            except ValidationError:
                errors["url"] = _("Ссылка: нужен адрес, начинающийся с http:// или https://.")
    else:
        if upload is None:
            errors["upload"] = _("Файл: выберите файл.")
        else:
            try:
                checked = uploads.check_upload(upload, field="upload")
            except ValidationError as exc:
                errors["upload"] = " ".join(exc.message_dict["upload"])
    if errors:
        raise ValidationError(errors)
    material = Material(
        module=module,
        kind=kind,
        title=title,
        body_html=body,
        url=url if kind == MaterialKind.LINK else "",
        position=_next_position(Material.objects.filter(module=module)),
    )
    if checked is not None:
        material.file_name = checked.name[:255]
        material.file_size = checked.size
        material.file_content_type = checked.content_type
        material.file.save(checked.name, checked.upload, save=False)
    material.save()
    return material


@transaction.atomic
def material_delete(*, material: Material) -> None:
    if material.file:
        material.file.delete(save=False)
    material.delete()


@transaction.atomic
def assignment_create(
    *,
    module: Module,
    title: str,
    instructions: str,
    due_on: dt.date | None = None,
    is_marked: bool = False,
) -> Assignment:
    errors: dict[str, str] = {}
    title, e = _text(title, Assignment, "title", _("Название задания"), required=True)
    if e:
        errors["title"] = e
    limit = Assignment._meta.get_field("instructions").max_length or 4000
    instructions = (instructions or "").strip()
    if not instructions:
        errors["instructions"] = _("Что сделать: опишите задание.")
    elif len(instructions) > limit:
        errors["instructions"] = _("Что сделать: не больше %(n)s знаков.") % {"n": limit}
    if errors:
        raise ValidationError(errors)
    return Assignment.objects.create(
        module=module,
        title=title,
        instructions=instructions,
        due_on=due_on,
        is_marked=is_marked,
        position=_next_position(Assignment.objects.filter(module=module)),
    )


@transaction.atomic
def materials_open(*, module: Module, student: Student) -> int:
    """The student opened the module: its materials count as opened (progress)."""
    ids = list(module.materials.values_list("id", flat=True))
    if not ids:
        return 0
    seen = set(
        MaterialView.objects.filter(student=student, material_id__in=ids).values_list(
            "material_id", flat=True
        )
    )
    new = [MaterialView(material_id=i, student=student) for i in ids if i not in seen]
    if new:
        MaterialView.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# ------------------------------------------------------------------ the student's work


def is_late(assignment: Assignment, when: dt.datetime) -> bool:
    """Late when sent after the due day (Moscow time): the day itself is still in time."""
    if assignment.due_on is None:
        return False
    return timezone.localtime(when).date() > assignment.due_on


@transaction.atomic
def submission_save(
    *,
    assignment: Assignment,
    student: Student,
    text: str,
    files: Sequence[UploadedFile] = (),
) -> Submission:
    """Send (or send again) the work: text and/or files. Sending again is allowed until the
    teacher returns it; new files then replace the old ones, no new files keep them. After
    the due date the work is still accepted and marked «сдано с опозданием»."""
    errors: dict[str, str] = {}
    text = (text or "").strip()
    limit = Submission._meta.get_field("text").max_length or 10000
    if len(text) > limit:
        errors["text"] = _("Ответ: не больше %(n)s знаков.") % {"n": limit}
    checked: list[uploads.CheckedFile] = []
    if len(files) > MAX_SUBMISSION_FILES:
        errors["files"] = _("Файлы: не больше %(n)s файлов.") % {"n": MAX_SUBMISSION_FILES}
    else:
        try:
            checked = [uploads.check_upload(f, field="files") for f in files]
        except ValidationError as exc:
            errors["files"] = " ".join(exc.message_dict["files"])
        if sum(c.size for c in checked) > uploads.max_total_bytes():
            errors["files"] = _("Файлы вместе больше %(mb)s МБ.") % {
                "mb": uploads.max_total_bytes() // (1024 * 1024)
            }
    existing = (
        Submission.objects.select_for_update()
        .filter(assignment=assignment, student=student)
        .first()
    )
    if existing is not None and existing.status == SubmissionStatus.RETURNED:
        errors["text"] = _("Работа уже проверена: отправить её заново нельзя.")
    has_files = bool(checked) or bool(existing and existing.files.exists())
    if not errors and not text and not has_files:
        errors["text"] = _("Ответ: напишите ответ или приложите файл.")
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    if existing is None:
        submission = Submission.objects.create(
            assignment=assignment,
            student=student,
            text=text,
            submitted_at=now,
            is_late=is_late(assignment, now),
        )
    else:
        submission = existing
        submission.text = text
        submission.submitted_at = now
        submission.is_late = is_late(assignment, now)
        submission.save(update_fields=["text", "submitted_at", "is_late"])
    if checked:
        for old in submission.files.all():
            old.file.delete(save=False)
        submission.files.all().delete()
        for c in checked:
            SubmissionFile.objects.create(
                submission=submission,
                file=c.upload,
                name=c.name[:255],
                size=c.size,
                content_type=c.content_type,
            )
    return submission


# ------------------------------------------------------------------ the teacher's answer


@transaction.atomic
def submission_return(
    *,
    submission: Submission,
    by: Any,
    feedback: str,
    mark: str = "",
    lesson: Lesson | None = None,
    control_form: ControlForm | None = None,
    may_edit_closed: bool = False,
    may_mark_lesson: bool = True,
) -> Submission:
    """Return the work with feedback and, optionally, a mark put on ``lesson`` in the journal
    through ``mark_set``: the cell keeps what it held and gets the mark added, with history
    and the family's notification; a closed period refuses it with the journal's words.
    A lesson without a form of control gets ``control_form`` first (``lesson_update``, as in
    the grid). Any refusal rolls the whole return back. The work's row is locked first, so
    two returns sent at once put one mark, never two."""
    submission = (
        Submission.objects.select_for_update()
        .select_related("assignment__module__course", "student")
        .get(pk=submission.pk)
    )
    errors: dict[str, str] = {}
    feedback = (feedback or "").strip()
    limit = Submission._meta.get_field("feedback").max_length or 4000
    if not feedback:
        errors["feedback"] = _("Отзыв: напишите, что получилось и что исправить.")
    elif len(feedback) > limit:
        errors["feedback"] = _("Отзыв: не больше %(n)s знаков.") % {"n": limit}
    mark = (mark or "").strip()
    course = submission.assignment.module.course
    if mark:
        if mark not in COURSE_MARKS:
            errors["mark"] = _("Отметка: выберите из списка.")
        elif submission.mark_lesson_id is not None or submission.mark_value:
            errors["mark"] = _("Отметка за эту работу уже в журнале; изменить её можно в журнале.")
        elif lesson is None:
            errors["lesson"] = _("Урок: выберите урок, на который поставить отметку.")
        else:
            allowed = {
                lesson_.pk for lesson_ in selectors.lessons_for_mark(course, submission.student)
            }
            if lesson.pk not in allowed:
                errors["lesson"] = _("Урок: выберите урок предмета курса в классе ученика.")
            elif not may_mark_lesson:
                errors["lesson"] = _("Урок: вы не ведёте журнал этого урока.")
            elif lesson.control_form_id is None and control_form is None:
                errors["control_form"] = _(
                    "Форма контроля: у урока её нет — выберите, за что отметка."
                )
            elif (
                control_form is not None
                and lesson.control_form_id is not None
                and control_form.pk != lesson.control_form_id
            ):
                errors["control_form"] = _(
                    "Форма контроля: у урока уже «%(name)s» — выберите её или другой урок."
                ) % {"name": lesson.control_form.name if lesson.control_form else ""}
            elif (
                control_form is not None and control_form.organisation_id != course.organisation_id
            ):
                errors["control_form"] = _("Форма контроля: выберите форму своей школы.")
    if errors:
        raise ValidationError(errors)
    locked = submission
    if mark and lesson is not None:
        try:
            if lesson.control_form_id is None and control_form is not None:
                lesson = journal_services.lesson_update(
                    lesson=lesson,
                    topic=lesson.topic,
                    control_form=control_form,
                    user=by,
                    may_edit_closed=may_edit_closed,
                )
            cell = journal_services.cell_load(lesson=lesson, student=submission.student)
            new_cell = journal_services.mark_set(
                lesson=lesson,
                student=submission.student,
                text=f"{cell.text} {mark}".strip(),
                fingerprint=cell.fingerprint,
                user=by,
                may_edit_closed=may_edit_closed,
            )
        except journal_services.CellConflict as exc:
            raise ValidationError(
                {"lesson": _("Клетку журнала только что изменили. Отправьте ещё раз.")}
            ) from exc
        except ValidationError as exc:
            # The journal's own words (closed period, a lesson still to come, too many marks).
            raise ValidationError(
                {"lesson": " ".join(m for msgs in exc.message_dict.values() for m in msgs)}
            ) from exc
        added = new_cell.marks[-1] if new_cell.marks else None
        if isinstance(added, Mark):
            work = _("Курс «%(c)s»: %(a)s") % {
                "c": course.title,
                "a": submission.assignment.title,
            }
            journal_services.mark_note_set(
                mark=added,
                comment=added.comment,
                work_name=work[: _limit(Mark, "work_name")],
                user=by,
                may_edit_closed=may_edit_closed,
            )
        locked.mark_value = mark
        locked.mark_lesson = lesson
    locked.feedback = feedback
    locked.status = SubmissionStatus.RETURNED
    locked.returned_at = clock.now()
    locked.returned_by = by
    locked.save()
    return locked
