"""Writes of announcements: publish, change, delete, mark read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shkola.accounts.selectors import viewer_for
from shkola.core import clock
from shkola.core import uploads as file_checks

from . import selectors
from .models import (
    FAMILY_AUDIENCES,
    Announcement,
    AnnouncementFile,
    AnnouncementRead,
    Audience,
    Scope,
)

TITLE_MAX = 200
BODY_MAX = 10_000
# How far ahead an announcement may be planned and how long it may be shown.
MAX_DAYS_AHEAD = 366
MAX_DAYS_SHOWN = 366


def _checked_fields(
    *,
    author: Any,
    title: str,
    body: str,
    audience: str,
    scope: str,
    parallel_ids: Sequence[int],
    class_unit_ids: Sequence[int],
    valid_from: dt.date | None,
    valid_to: dt.date | None,
) -> tuple[Any, dict[str, Any], list[int], list[int]]:
    """The cleaned fields, or a ValidationError naming each wrong field."""
    viewer = viewer_for(author)
    choices = selectors.author_choices(viewer)
    organisation = choices["organisation"]
    errors: dict[str, list[str]] = {}
    if organisation is None:
        raise ValidationError(
            {"audience": [_("Объявления публикуют администрация школы и классные руководители.")]}
        )
    title = (title or "").strip()
    body = (body or "").strip()
    if not title:
        errors["title"] = [_("Заголовок: укажите заголовок объявления.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("Заголовок: не длиннее %(n)s символов.") % {"n": TITLE_MAX}]
    if not body:
        errors["body"] = [_("Текст: напишите текст объявления.")]
    elif len(body) > BODY_MAX:
        errors["body"] = [_("Текст: не длиннее %(n)s символов.") % {"n": BODY_MAX}]
    if audience not in Audience.values:
        errors["audience"] = [_("Кому: выберите адресатов из списка.")]
    elif not choices["is_admin"] and audience not in FAMILY_AUDIENCES:
        errors["audience"] = [
            _("Кому: классный руководитель пишет обучающимся и родителям своего класса.")
        ]
    if not choices["is_admin"]:
        scope = Scope.CLASSES
    if scope not in Scope.values:
        errors["scope"] = [_("Охват: выберите всю школу, параллели или классы.")]
    allowed_parallels = {p.id for p in choices["parallels"]}
    allowed_classes = {c.id for c in choices["class_units"]}
    parallels: list[int] = []
    class_units: list[int] = []
    if audience in (Audience.STAFF, Audience.EVERYONE) and scope != Scope.SCHOOL:
        errors["scope"] = [
            _("Охват: сотрудникам и «Всем» объявление адресуется всей школе, без выбора классов.")
        ]
    elif scope == Scope.PARALLELS:
        parallels = sorted(set(parallel_ids))
        if not parallels:
            errors["parallels"] = [_("Параллели: отметьте хотя бы одну параллель.")]
        elif not set(parallels) <= allowed_parallels:
            errors["parallels"] = [_("Параллели: выберите параллели своей школы.")]
    elif scope == Scope.CLASSES:
        class_units = sorted(set(class_unit_ids))
        if not class_units:
            errors["class_units"] = [_("Классы: отметьте хотя бы один класс.")]
        elif not set(class_units) <= allowed_classes:
            errors["class_units"] = [
                _("Классы: выберите классы своей школы.")
                if choices["is_admin"]
                else _("Классы: классный руководитель пишет только своему классу.")
            ]
    today = clock.today()
    if valid_from is None:
        errors["valid_from"] = [_("Показывать с: укажите дату.")]
    if valid_to is None:
        errors["valid_to"] = [_("Показывать по: укажите дату.")]
    if valid_from is not None and valid_to is not None:
        if valid_to < valid_from:
            errors["valid_to"] = [_("Показывать по: дата не раньше даты начала.")]
        elif (valid_to - valid_from).days > MAX_DAYS_SHOWN:
            errors["valid_to"] = [_("Показывать по: не дольше года.")]
        elif (valid_from - today).days > MAX_DAYS_AHEAD:
            errors["valid_from"] = [_("Показывать с: не позже чем через год.")]
    if errors:
        raise ValidationError(errors)
    fields = {
        "title": title,
        "body": body,
        "audience": audience,
        "scope": scope,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }
    return organisation, fields, parallels, class_units


def _checked_files(
    files: Sequence[UploadedFile], *, existing_bytes: int = 0
) -> list[file_checks.CheckedFile]:
    checked: list[file_checks.CheckedFile] = []
    errors: list[str] = []
    for upload in files:
        try:
            checked.append(file_checks.check_upload(upload, field="attachments"))
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                errors.extend(messages)
    if errors:
        raise ValidationError({"attachments": errors})
    total = existing_bytes + sum(c.size for c in checked)
    if total > file_checks.max_total_bytes():
        raise ValidationError(
            {
                "attachments": [
                    _("Файлы: вместе не больше %(mb)s МБ.")
                    % {"mb": file_checks.max_total_bytes() // (1024 * 1024)}
                ]
            }
        )
    return checked


def _store_files(announcement: Announcement, checked: list[file_checks.CheckedFile]) -> None:
    for item in checked:
        record = AnnouncementFile(
            announcement=announcement,
            name=item.name,
            size=item.size,
            content_type=item.content_type,
            is_image=item.is_image,
        )
        record.file.save(item.name, item.upload, save=False)
        record.save()


@transaction.atomic
def announcement_publish(
    *,
    author: Any,
    title: str,
    body: str,
    audience: str,
    scope: str = Scope.SCHOOL,
    parallel_ids: Sequence[int] = (),
    class_unit_ids: Sequence[int] = (),
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    pinned: bool = False,
    files: Sequence[UploadedFile] = (),
) -> Announcement:
    """Post an announcement in the author's school and return it (the caller may notify
    ``selectors.announcement_reader_ids(announcement)``)."""
    organisation, fields, parallels, class_units = _checked_fields(
        author=author,
        title=title,
        body=body,
        audience=audience,
        scope=scope,
        parallel_ids=parallel_ids,
        class_unit_ids=class_unit_ids,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    checked = _checked_files(files)
    announcement = Announcement.objects.create(
        organisation=organisation, author=author, pinned=bool(pinned), **fields
    )
    announcement.parallels.set(parallels)
    announcement.class_units.set(class_units)
    _store_files(announcement, checked)
    _notify_readers(announcement)
    return announcement


def _notify_readers(announcement: Announcement) -> None:
    """F6: the audience hears of an announcement valid today (one bulk insert for the whole
    school). One that starts later is found in «Объявления» and on the home page from its
    first day, without a notification."""
    from django.urls import reverse

    from shkola.notifications.services import notify

    if not announcement.valid_from <= clock.today() <= announcement.valid_to:
        return
    notify(
        kind="announcement",
        user_ids=selectors.announcement_reader_ids(announcement),
        title=_("Объявление: %(title)s") % {"title": announcement.title},
        url=reverse("announcements:detail", args=[announcement.pk]),
    )


@transaction.atomic
def announcement_update(
    *,
    announcement: Announcement,
    by: Any,
    title: str,
    body: str,
    audience: str,
    scope: str = Scope.SCHOOL,
    parallel_ids: Sequence[int] = (),
    class_unit_ids: Sequence[int] = (),
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    pinned: bool = False,
    files: Sequence[UploadedFile] = (),
    remove_file_ids: Sequence[int] = (),
) -> Announcement:
    """Change an announcement; the choices are checked against what ``by`` may address (an
    administrator editing a class teacher's announcement may widen it to the school)."""
    organisation, fields, parallels, class_units = _checked_fields(
        author=by,
        title=title,
        body=body,
        audience=audience,
        scope=scope,
        parallel_ids=parallel_ids,
        class_unit_ids=class_unit_ids,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    if organisation.id != announcement.organisation_id:
        raise ValidationError({"audience": [_("Объявление другой школы изменить нельзя.")]})
    removed = list(announcement.files.filter(id__in=list(remove_file_ids)))
    kept_bytes = sum(f.size for f in announcement.files.exclude(id__in=[f.id for f in removed]))
    checked = _checked_files(files, existing_bytes=kept_bytes)
    for key, value in fields.items():
        setattr(announcement, key, value)
    announcement.pinned = bool(pinned)
    announcement.save()
    announcement.parallels.set(parallels)
    announcement.class_units.set(class_units)
    for record in removed:
        _delete_file(record)
    _store_files(announcement, checked)
    return announcement


def _delete_file(record: AnnouncementFile) -> None:
    name = record.file.name
    storage = record.file.storage
    record.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def announcement_delete(*, announcement: Announcement) -> None:
    for record in list(announcement.files.all()):
        _delete_file(record)
    announcement.delete()


def announcement_read_mark(*, announcement: Announcement, user: Any) -> None:
    """Remember that ``user`` opened the announcement (once; a second open changes nothing)."""
    if AnnouncementRead.objects.filter(announcement=announcement, user=user).exists():
        return
    try:
        with transaction.atomic():
            AnnouncementRead.objects.create(
                announcement=announcement, user=user, read_at=clock.now()
            )
    except IntegrityError:
        pass  # opened in two tabs at once: the other request recorded it
