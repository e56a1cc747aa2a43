"""«Загрузка из файлов»: the administration of a school uploads students or parents, reads
the dry run row by row, and applies it; the worker's progress refreshes by HTMX polling."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shkola.accounts.selectors import viewer_from_request
from shkola.core.exports import download_name, xlsx_response
from shkola.schools.models import Organisation

from . import selectors, services
from .models import ImportJob, ImportKind
from .reading import MAX_FILE_BYTES

REPORT_ROWS_SHOWN = 500
PEOPLE_KINDS = [(k, label) for k, label in ImportKind.choices if k != ImportKind.KTP]


def _school(request: HttpRequest) -> Organisation:
    """The school the viewer administers (the one chosen by ?school= when several)."""
    viewer = viewer_from_request(request)
    schools = [
        s
        for s in Organisation.objects.filter(id__in=viewer.admin_org_ids).order_by("short_name")
        if request.user.has_perm("imports.import_people", s)
    ]
    if not schools:
        raise Http404
    raw = request.GET.get("school") or request.POST.get("school") or ""
    return next((s for s in schools if str(s.id) == raw), schools[0])


def _job(request: HttpRequest, job_id: int) -> ImportJob:
    viewer = viewer_from_request(request)
    job = selectors.import_job(viewer, job_id)
    if job is None:
        raise Http404
    if job.kind == ImportKind.KTP:
        if not _may_fill(request, job.class_unit_id, job.subject_id):
            raise Http404
    elif not request.user.has_perm("imports.import_people", job.organisation):
        raise Http404
    return job


def _may_fill(request: HttpRequest, class_id: int | None, subject_id: int | None) -> bool:
    """The journal's own rule: the teacher of the class and subject, or the administration."""
    from shkola.journal.selectors import journal_ref

    viewer = viewer_from_request(request)
    try:
        ref = journal_ref(viewer, subject_id=subject_id or 0, class_id=class_id or 0)
    except Http404:
        return False
    # The rules backend decides on JournalRef, which Django's stubs do not know as an object.
    return bool(request.user.has_perm("journal.edit_journal", ref))  # type: ignore[arg-type]


def index(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    errors: dict[str, list[str]] = {}
    kind = request.POST.get("kind", ImportKind.STUDENTS)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if kind not in dict(PEOPLE_KINDS):
            errors["kind"] = [_("«Что загружается»: выберите из списка.")]
        if upload is None:
            errors["file"] = [_("«Файл»: выберите файл .xlsx или .csv.")]
        elif (upload.size or 0) > MAX_FILE_BYTES:
            errors["file"] = [
                _("«Файл»: файл больше %(mb)s МБ.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
            ]
        if not errors and upload is not None:
            try:
                job = services.import_check(
                    organisation=school,
                    kind=kind,
                    content=upload.read(),
                    file_name=upload.name or "file",
                    user=request.user,
                )
            except ValidationError as error:
                errors = {
                    k: [f"«{_('Файл')}»: {m}" if k == "file" else m for m in v]
                    for k, v in error.message_dict.items()
                }
            else:
                return redirect("imports:job", job_id=job.id)
    return render(
        request,
        "imports/index.html",
        {
            "school": school,
            "kinds": PEOPLE_KINDS,
            "kind": kind,
            "errors": errors,
            "jobs": selectors.recent_jobs(school),
            "may_ktp": bool(selectors.ktp_journals(viewer_from_request(request))),
            "max_mb": MAX_FILE_BYTES // (1024 * 1024),
        },
        status=422 if errors else 200,
    )


def template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind == ImportKind.KTP:
        if not selectors.ktp_journals(viewer_from_request(request)):
            raise Http404
    else:
        _school(request)
    if kind not in ImportKind.values:
        raise Http404
    label = ImportKind(kind).label
    return xlsx_response(
        services.template_workbook(kind),
        download_name(_("Шаблон загрузки"), label, extension="xlsx"),
    )


def job(request: HttpRequest, job_id: int) -> HttpResponse:
    found = _job(request, job_id)
    report = found.report or {}
    rows = report.get("rows", [])
    # Refused rows first: they are what the curator has to fix.
    ordered = [r for r in rows if r["action"] == "refuse"] + [
        r for r in rows if r["action"] != "refuse"
    ]
    return render(
        request,
        "imports/job.html",
        {
            "job": found,
            "counts": report.get("counts", {}),
            "file_errors": report.get("file_errors", []),
            "rows": ordered[:REPORT_ROWS_SHOWN],
            "rows_hidden": max(0, len(ordered) - REPORT_ROWS_SHOWN),
            "back_url": reverse("imports:ktp" if found.kind == ImportKind.KTP else "imports:index"),
        },
    )


def apply(request: HttpRequest, job_id: int) -> HttpResponse:
    found = _job(request, job_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.import_apply(job=found, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("imports:job", job_id=found.id)


def progress(request: HttpRequest, job_id: int) -> HttpResponse:
    found = _job(request, job_id)
    return render(request, "imports/job.html#progress", {"job": found})


def ktp(request: HttpRequest) -> HttpResponse:
    """«КТП»: a teacher (or the administration) fills a journal's topics and homework from
    a plan; the dry run shows which lesson gets which topic before anything is written."""
    viewer = viewer_from_request(request)
    journals = selectors.ktp_journals(viewer)
    if not journals:
        raise Http404
    errors: dict[str, list[str]] = {}
    chosen = request.POST.get("journal") or request.GET.get("journal", "")
    if request.method == "POST":
        journal = next((j for j in journals if j.value == chosen), None)
        upload = request.FILES.get("file")
        if journal is None or not _may_fill(request, journal.class_unit.id, journal.subject.id):
            errors["journal"] = [_("«Класс и предмет»: выберите из списка.")]
        if upload is None:
            errors["file"] = [_("«Файл»: выберите файл .xlsx или .csv.")]
        elif (upload.size or 0) > MAX_FILE_BYTES:
            errors["file"] = [
                _("«Файл»: файл больше %(mb)s МБ.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
            ]
        if not errors and upload is not None and journal is not None:
            try:
                job = services.import_check(
                    organisation=journal.class_unit.parallel.organisation,
                    kind=ImportKind.KTP,
                    content=upload.read(),
                    file_name=upload.name or "file",
                    user=request.user,
                    class_unit=journal.class_unit,
                    subject=journal.subject,
                )
            except ValidationError as error:
                errors = {
                    k: [f"«{_('Файл')}»: {m}" if k == "file" else m for m in v]
                    for k, v in error.message_dict.items()
                }
            else:
                return redirect("imports:job", job_id=job.id)
    return render(
        request,
        "imports/ktp.html",
        {
            "journals": journals,
            "chosen": chosen,
            "errors": errors,
            "max_mb": MAX_FILE_BYTES // (1024 * 1024),
        },
        status=422 if errors else 200,
    )
