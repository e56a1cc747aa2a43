"""The daily digest, built for a batch of people at once: a fixed handful of queries per
batch (children, marks, averages per period, tomorrow's homework, remarks, unread counts),
whatever the number of families in it, then one template render per letter."""

from __future__ import annotations

import datetime as dt
import html
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from shkola.accounts.models import User
from shkola.journal import grading
from shkola.journal.models import Homework, JournalKind, Mark, Remark
from shkola.journal.selectors import subject_averages
from shkola.schools.models import AttestationPeriod, Guardianship, Student, StudyGroup

from .models import (
    DEFAULT_DELIVERY,
    Delivery,
    Notification,
    NotificationKind,
    NotificationSettings,
)

FIRST_DIGEST_WINDOW = dt.timedelta(hours=24)
_SENTINEL_ID = 987654321
_SENTINEL_TOKEN = "TOKEN-PLACEHOLDER"


@dataclass
class MarkLine:
    subject: str
    value: str
    date: dt.date
    average: Decimal | None


@dataclass
class ChildDigest:
    student_id: int
    name: str
    link: str
    marks: list[MarkLine] = field(default_factory=list)
    homework: list[tuple[str, str]] = field(default_factory=list)
    remarks: list[tuple[str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.marks or self.homework or self.remarks)


@dataclass
class DigestContent:
    day: dt.date
    children: list[ChildDigest]
    quiet_children: list[ChildDigest]
    unread_messages: int
    unread_notifications: int
    list_link: str
    settings_link: str
    unsubscribe_link: str


# The digest is rendered with plain string building, not the template engine: a region sends
# a million of them each evening, and the engine costs more than building the data.


def _average(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def render_text(c: DigestContent) -> str:
    lines = [_("Сводка за %(day)s") % {"day": formats.date_format(c.day, "j E Y")}]
    for child in c.children:
        lines += ["", f"== {child.name} =="]
        if child.marks:
            lines += ["", _("Новые отметки") + ":"]
            for m in child.marks:
                avg = (
                    f" ({_('средний балл')} {_average(m.average)})" if m.average is not None else ""
                )
                lines.append(f"  {m.date:%d.%m} {m.subject}: {m.value}{avg}")
        if child.homework:
            lines += ["", _("Домашнее задание на завтра") + ":"]
            lines += [f"  {subject}: {text}" for subject, text in child.homework]
        if child.remarks:
            lines += ["", _("Замечания и комментарии") + ":"]
            lines += [f"  {label}: {text}" for label, text in child.remarks]
        lines += ["", f"{_('Дневник')}: {child.link}"]
    for child in c.quiet_children:
        lines += ["", _("%(name)s: нового нет.") % {"name": child.name}]
    if c.unread_messages:
        lines += ["", f"{_('Непрочитанных сообщений')}: {c.unread_messages}"]
    if c.unread_notifications:
        if not c.unread_messages:
            lines.append("")
        lines += [f"{_('Непрочитанных уведомлений')}: {c.unread_notifications} — {c.list_link}"]
    lines += [
        "",
        "—",
        f"{_('Настройки уведомлений')}: {c.settings_link}",
        f"{_('Отписаться от ежедневной сводки')}: {c.unsubscribe_link}",
        "",
    ]
    return "\n".join(lines)


_MUTED = "color: #6c757d;"


def render_html(c: DigestContent) -> str:
    e = html.escape
    out = [
        '<!doctype html><html lang="ru"><head><meta charset="utf-8">',
        f"<title>{e(_('Сводка'))}</title></head>",
        '<body style="font-family: Arial, sans-serif; color: #212529; line-height: 1.4; '
        'max-width: 640px;">',
        '<h1 style="font-size: 20px; margin: 0 0 16px;">'
        + e(_("Сводка за %(day)s") % {"day": formats.date_format(c.day, "j E Y")})
        + "</h1>",
    ]
    for child in c.children:
        out.append(
            '<h2 style="font-size: 17px; margin: 20px 0 8px; border-bottom: 2px solid #0d6efd; '
            f'padding-bottom: 4px;">{e(child.name)}</h2>'
        )
        if child.marks:
            out.append(
                f'<h3 style="font-size: 15px; margin: 8px 0 4px;">{e(_("Новые отметки"))}</h3>'
            )
            out.append(
                '<table style="border-collapse: collapse; width: 100%;" role="presentation">'
            )
            for m in child.marks:
                avg = (
                    f"{e(_('средний балл'))} {_average(m.average)}" if m.average is not None else ""
                )
                out.append(
                    f'<tr><td style="padding: 3px 8px 3px 0; {_MUTED} white-space: nowrap;">'
                    f"{m.date:%d.%m}</td>"
                    f'<td style="padding: 3px 8px;">{e(m.subject)}</td>'
                    f'<td style="padding: 3px 8px; font-weight: bold; font-size: 16px;">{e(m.value)}</td>'
                    f'<td style="padding: 3px 0 3px 8px; {_MUTED} white-space: nowrap;">{avg}</td></tr>'
                )
            out.append("</table>")
        for heading, items in (
            (_("Домашнее задание на завтра"), child.homework),
            (_("Замечания и комментарии"), child.remarks),
        ):
            if items:
                out.append(f'<h3 style="font-size: 15px; margin: 12px 0 4px;">{e(heading)}</h3>')
                out.append('<ul style="margin: 0; padding-left: 20px;">')
                out += [
                    f'<li><b>{e(a)}:</b> <span style="white-space: pre-line;">{e(b)}</span></li>'
                    for a, b in items
                ]
                out.append("</ul>")
        out.append(
            f'<p style="margin: 8px 0 0;"><a href="{e(child.link)}">{e(_("Открыть дневник"))}</a></p>'
        )
    for child in c.quiet_children:
        out.append(
            f'<p style="{_MUTED}">{e(_("%(name)s: нового нет.") % {"name": child.name})}</p>'
        )
    if c.unread_messages:
        out.append(f"<p>{e(_('Непрочитанных сообщений'))}: {c.unread_messages}</p>")
    if c.unread_notifications:
        out.append(
            f'<p><a href="{e(c.list_link)}">{e(_("Непрочитанных уведомлений"))}: '
            f"{c.unread_notifications}</a></p>"
        )
    out.append(
        '<hr style="border: 0; border-top: 1px solid #dee2e6; margin-top: 24px;">'
        f'<p style="{_MUTED} font-size: 12px;"><a href="{e(c.settings_link)}">'
        f'{e(_("Настройки уведомлений"))}</a> · <a href="{e(c.unsubscribe_link)}">'
        f"{e(_('Отписаться от ежедневной сводки'))}</a></p></body></html>"
    )
    return "\n".join(out)


@dataclass
class Letter:
    user_id: int
    subject: str
    text: str
    html: str
    children: list[ChildDigest]
    unread_messages: int
    unread_notifications: int


def _public(path: str) -> str:
    from .services import public_url

    return public_url(path)


def digests_build(*, user_ids: Iterable[int], now: dt.datetime) -> list[Letter]:
    """Letters for those of ``user_ids`` who have something to read; nobody gets an empty one."""
    from .services import unsubscribe_token

    ids = list(user_ids)
    if not ids:
        return []
    users = {u.pk: u for u in User.objects.filter(id__in=ids)}
    prefs = {s.user_id: s for s in NotificationSettings.objects.filter(user_id__in=ids)}

    def delivery(uid: int, kind: str) -> str:
        pref = prefs.get(uid)
        return pref.delivery_of(kind) if pref else str(DEFAULT_DELIVERY[kind])

    def since(uid: int) -> dt.datetime:
        pref = prefs.get(uid)
        if pref and pref.last_digest_at:
            return pref.last_digest_at
        return now - FIRST_DIGEST_WINDOW

    # children: a student's own record and a guardian's children
    children_of: dict[int, list[int]] = defaultdict(list)
    own_of: dict[int, int] = {}
    for sid, uid in Student.objects.filter(user_id__in=ids).values_list("id", "user_id"):
        children_of[uid].append(sid)
        own_of[uid] = sid
    for sid, uid in Guardianship.objects.filter(guardian__user_id__in=ids).values_list(
        "student_id", "guardian__user_id"
    ):
        if sid not in children_of[uid]:
            children_of[uid].append(sid)
    student_ids = sorted({sid for sids in children_of.values() for sid in sids})
    students = {
        s.pk: s
        for s in Student.objects.filter(id__in=student_ids).only(
            "id", "last_name", "first_name", "current_class_id"
        )
    }
    earliest = min((since(uid) for uid in ids), default=now)
    today = now.date()
    tomorrow = today + dt.timedelta(days=1)

    # marks new or changed since the earliest last digest, with the subject's average
    marks_by_student: dict[int, list[Mark]] = defaultdict(list)
    for mark in (
        Mark.objects.filter(
            student_id__in=student_ids, journal=JournalKind.MAIN, updated_at__gt=earliest
        )
        .select_related("lesson__subject")
        .only(
            "id",
            "student_id",
            "value",
            "updated_at",
            "lesson__date",
            "lesson__period_id",
            "lesson__subject__name",
            "lesson__subject_id",
        )
        .order_by("lesson__date", "id")
    ):
        marks_by_student[mark.student_id].append(mark)
    wanted: dict[int | None, tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
    for sid, marks in marks_by_student.items():
        for mark in marks:
            students_, subjects_ = wanted[mark.lesson.period_id]
            students_.add(sid)
            subjects_.add(mark.lesson.subject_id)
    averages: dict[tuple[int | None, int, int], Decimal | None] = {}
    for period in AttestationPeriod.objects.filter(id__in=list(wanted)):
        students_, subjects_ = wanted[period.pk]
        for (sid, subj), value in subject_averages(students_, period, subjects_).items():
            averages[(period.pk, sid, subj)] = value

    # tomorrow's homework of the children's classes and groups
    groups_of: dict[int, set[int]] = defaultdict(set)
    for sid, gid in StudyGroup.students.through.objects.filter(
        student_id__in=student_ids
    ).values_list("student_id", "studygroup_id"):
        groups_of[sid].add(gid)
    class_ids = {s.current_class_id for s in students.values() if s.current_class_id}
    group_ids = {g for gs in groups_of.values() for g in gs}
    homework_by_student: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if class_ids or group_ids:
        for hw in (
            Homework.objects.filter(lesson__date=tomorrow, lesson__is_cancelled=False)
            .filter(
                Q(lesson__class_unit_id__in=class_ids, lesson__group__isnull=True)
                | Q(lesson__group_id__in=group_ids)
            )
            .filter(Q(student__isnull=True) | Q(student_id__in=student_ids))
            .select_related("lesson__subject")
            .only(
                "id",
                "text",
                "student_id",
                "lesson__class_unit_id",
                "lesson__group_id",
                "lesson__lesson_number",
                "lesson__subject__name",
            )
            .order_by("lesson__lesson_number", "id")
        ):
            for sid, s in students.items():
                if hw.student_id is not None and hw.student_id != sid:
                    continue
                if hw.lesson.group_id is not None:
                    if hw.lesson.group_id not in groups_of[sid]:
                        continue
                elif hw.lesson.class_unit_id != s.current_class_id:
                    continue
                homework_by_student[sid].append((hw.lesson.subject.name, hw.text))

    remarks_by_student: dict[int, list[Remark]] = defaultdict(list)
    for remark in (
        Remark.objects.filter(student_id__in=student_ids, created_at__gt=earliest)
        .select_related("subject")
        .order_by("created_at", "id")
    ):
        remarks_by_student[remark.student_id].append(remark)

    unread: dict[int, dict[str, int]] = defaultdict(dict)
    # when the newest unread message arrived: only a message since the last digest is news
    newest_message: dict[int, dt.datetime] = {}
    for row in (
        Notification.objects.filter(user_id__in=ids, read_at__isnull=True)
        .values("user_id", "kind")
        .annotate(n=Count("id"), newest=Max("created_at"))
        .order_by()
    ):
        unread[row["user_id"]][row["kind"]] = row["n"]
        if row["kind"] == NotificationKind.MESSAGE:
            newest_message[row["user_id"]] = row["newest"]

    settings_link = _public(reverse("notifications:settings"))
    list_link = _public(reverse("notifications:list"))
    # reverse() once per batch: the per-child and per-person addresses differ only in an id
    own_diary = _public(reverse("diary:week"))
    child_diary = _public(reverse("diary:week_of", args=[_SENTINEL_ID]))
    unsubscribe_base = _public(reverse("notifications:unsubscribe", args=[_SENTINEL_TOKEN]))
    letters: list[Letter] = []
    with translation.override("ru"):
        for uid in ids:
            user = users.get(uid)
            if user is None:
                continue
            if not any(delivery(uid, k) == Delivery.DIGEST for k in NotificationKind.values):
                continue
            start = since(uid)
            want_marks = delivery(uid, NotificationKind.MARK) == Delivery.DIGEST
            want_homework = delivery(uid, NotificationKind.HOMEWORK) == Delivery.DIGEST
            want_remarks = delivery(uid, NotificationKind.REMARK) == Delivery.DIGEST
            is_student_self = uid in own_of
            children: list[ChildDigest] = []
            for sid in children_of.get(uid, []):
                student = students.get(sid)
                if student is None:
                    continue
                child = ChildDigest(
                    student_id=sid,
                    name=f"{student.last_name} {student.first_name}",
                    link=own_diary
                    if is_student_self
                    else child_diary.replace(str(_SENTINEL_ID), str(sid)),
                )
                if want_marks:
                    for mark in marks_by_student.get(sid, []):
                        if mark.updated_at <= start:
                            continue
                        child.marks.append(
                            MarkLine(
                                subject=mark.lesson.subject.name,
                                value=mark.value,
                                date=mark.lesson.date,
                                average=grading.quantize2(
                                    averages.get(
                                        (mark.lesson.period_id, sid, mark.lesson.subject_id)
                                    )
                                ),
                            )
                        )
                if want_homework:
                    child.homework = list(homework_by_student.get(sid, []))
                if want_remarks:
                    for remark in remarks_by_student.get(sid, []):
                        if remark.created_at <= start:
                            continue
                        if is_student_self and remark.kind == Remark.Kind.REMARK:
                            continue  # «Замечание» is for the parents only
                        label = remark.get_kind_display()
                        if remark.subject is not None:
                            label = f"{label} ({remark.subject.name})"
                        child.remarks.append((label, remark.text))
                children.append(child)
            counts = unread.get(uid, {})
            unread_messages = (
                counts.get(NotificationKind.MESSAGE, 0)
                if delivery(uid, NotificationKind.MESSAGE) == Delivery.DIGEST
                else 0
            )
            unread_total = sum(counts.values())
            # unread notifications alone do not make a letter: only news does (a message
            # that came since the last digest is news; one left unread for a week is not)
            fresh_message = bool(unread_messages) and newest_message[uid] > start
            if all(c.empty for c in children) and not fresh_message:
                continue
            content = DigestContent(
                day=today,
                children=[c for c in children if not c.empty],
                quiet_children=[c for c in children if c.empty],
                unread_messages=unread_messages,
                unread_notifications=unread_total,
                list_link=list_link,
                settings_link=settings_link,
                unsubscribe_link=unsubscribe_base.replace(_SENTINEL_TOKEN, unsubscribe_token(user)),
            )
            subject = _("Сводка за %(day)s") % {"day": formats.date_format(today, "j E")}
            names = [c.name for c in content.children]
            if names:
                subject = f"{subject}: {', '.join(names)}"
            letters.append(
                Letter(
                    user_id=uid,
                    subject=subject[:300],
                    text=render_text(content),
                    html=render_html(content),
                    children=children,
                    unread_messages=unread_messages,
                    unread_notifications=unread_total,
                )
            )
    return letters
