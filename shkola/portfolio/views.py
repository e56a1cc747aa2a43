"""Portfolio pages: parse → authorise (rules) → one service/selector → render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from shkola.accounts import services as account_services
from shkola.accounts.selectors import active_student, viewer_from_request
from shkola.core.confirm import confirm_delete
from shkola.core.once import submit_once
from shkola.core.replicas import replica_reads
from shkola.core.uploads import sniff
from shkola.core.vendor import chartjs_path
from shkola.schools.models import Organisation

from . import selectors, services
from .forms import (
    AchievementForm,
    CardForm,
    ClubForm,
    DiagnosticForm,
    ImportForm,
    RejectForm,
    TestingForm,
)
from .models import (
    PRESENCE_CATEGORIES,
    ROUND_CATEGORIES,
    SPHERES,
    Category,
    Club,
    Place,
    PointsItem,
    Stage,
    Status,
)
from .rules import diagnostics_import_scope


def _user(request: HttpRequest) -> Any:
    """The signed-in user with the request's Viewer shared with the rules, so deciding
    permissions does not load the roles a second time."""
    user = request.user
    if getattr(user, "is_authenticated", False) and not hasattr(user, "_shkola_viewer"):
        user._shkola_viewer = viewer_from_request(request)  # type: ignore[union-attr]
    return user


def _perms(request: HttpRequest, student: Any) -> dict[str, bool]:
    user = request.user
    return {
        "can_add": user.has_perm("portfolio.add", student),
        "can_review": user.has_perm("portfolio.review", student),
        "can_edit_card": user.has_perm("portfolio.edit_card", student),
        "can_enter": user.has_perm("portfolio.enter_results", student),
    }


# How a section is named in the personal-data access log (the tabs of the portfolio).
SECTION_LABELS = {
    "card": gettext_lazy("Общие сведения"),
    "rating": gettext_lazy("Рейтинг"),
    "clubs": gettext_lazy("Кружки и секции"),
    "interests": gettext_lazy("Интересы и хобби"),
    "olympiads": gettext_lazy("Олимпиады"),
    "control": gettext_lazy("Контроль"),
    "attestation": gettext_lazy("Итоги аттестации"),
    "testing": gettext_lazy("Тестирование"),
}


def _page(
    request: HttpRequest, template: str, student: Any, section: str, **extra: Any
) -> HttpResponse:
    context = {
        "student": student,
        "section": section,
        "chartjs": chartjs_path(),
        **_perms(request, student),
        **extra,
    }
    account_services.personal_data_viewed(
        request=request,
        student=student,
        what=_("Портфолио: %(s)s") % {"s": SECTION_LABELS.get(section, section)},
    )
    return render(request, template, context)


def _apply_errors(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)


# ---------------------------------------------------------------- entry points


def mine(request: HttpRequest) -> HttpResponse:
    """«Портфолио» in the menu: the student's own, or the parent's chosen child."""
    student = active_student(request)
    if student is None:
        raise Http404
    return redirect("portfolio:card", student_id=student.id)


# ---------------------------------------------------------------- card (E1)


@replica_reads
def card(request: HttpRequest, student_id: int) -> HttpResponse:
    student = selectors.student_for(_user(request), student_id)
    user = request.user
    card = selectors.card_of(
        student,
        contacts=user.has_perm("schools.view_guardian_contacts", student),
        birth_dates=user.has_perm("schools.view_guardian_birth_date", student),
    )
    return _page(request, "portfolio/card.html", student, "card", card=card)


def card_edit(request: HttpRequest, student_id: int) -> HttpResponse:
    student = selectors.student_for(_user(request), student_id, "portfolio.edit_card")
    may_identity = request.user.has_perm("portfolio.edit_identity", student)
    may_special_needs = request.user.has_perm("portfolio.edit_special_needs", student)
    initial = {name: getattr(student, name) for name in (*services.CARD_FIELDS,)}
    if request.method == "POST":
        form = CardForm(
            request.POST,
            request.FILES,
            initial=initial,
            may_edit_identity=may_identity,
            may_edit_special_needs=may_special_needs,
        )
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "photo"}
            try:
                services.student_card_update(
                    student=student,
                    by=request.user,
                    data=data,
                    may_edit_identity=may_identity,
                    may_edit_special_needs=may_special_needs,
                    photo=form.cleaned_data.get("photo"),
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Сведения сохранены."))
                return redirect("portfolio:card", student_id=student.id)
    else:
        form = CardForm(
            initial=initial,
            may_edit_identity=may_identity,
            may_edit_special_needs=may_special_needs,
        )
    return _page(request, "portfolio/card_edit.html", student, "card", form=form)


def student_photo(request: HttpRequest, student_id: int) -> HttpResponseBase:
    student = selectors.student_for(_user(request), student_id)
    if not student.photo:
        raise Http404
    stored = student.photo.open("rb")
    content_type = sniff(stored.read(2048), student.photo.name or "") or "application/octet-stream"
    stored.seek(0)
    response = FileResponse(stored, content_type=content_type)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, max-age=300"
    return response


# ---------------------------------------------------------------- rating (E8, E9)


def _rating_context(student: Any, wanted_year: str | None = None) -> dict[str, Any]:
    return {
        "rating": selectors.rating_of(student, wanted_year),
        "stages": Stage.choices,
        "places": Place.choices,
        "items": PointsItem.choices,
        "round_categories": [
            (c, Category(c).label) for c in Category.values if c in ROUND_CATEGORIES
        ],
        "presence_categories": [
            (c, Category(c).label) for c in Category.values if c in PRESENCE_CATEGORIES
        ],
    }


@replica_reads
def rating(request: HttpRequest, student_id: int) -> HttpResponse:
    student = selectors.student_for(_user(request), student_id)
    return _page(
        request,
        "portfolio/rating.html",
        student,
        "rating",
        **_rating_context(student, request.GET.get("year")),
    )


@require_POST
def round_set(request: HttpRequest, achievement_id: int) -> HttpResponse:
    """One cell of the rounds table: a place (1, 2, 3), participation «у» or nothing."""
    achievement = selectors.achievement_for(_user(request), achievement_id, "portfolio.add")
    student = achievement.student
    try:
        services.achievement_round_set(
            achievement=achievement,
            stage=request.POST.get("stage", ""),
            place=request.POST.get("place", ""),
            by_reviewer=request.user.has_perm("portfolio.review", student),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(m for v in exc.message_dict.values() for m in v))
    if request.headers.get("HX-Request"):
        return _page(
            request,
            "portfolio/rating.html#rating-page",
            student,
            "rating",
            **_rating_context(student),
        )
    return redirect("portfolio:rating", student_id=student.id)


# ---------------------------------------------------------------- clubs (E2)


@replica_reads
def clubs(request: HttpRequest, student_id: int) -> HttpResponse:
    student = selectors.student_for(_user(request), student_id)
    return _page(
        request,
        "portfolio/clubs.html",
        student,
        "clubs",
        clubs=selectors.clubs_of(student),
    )


def _club_form_page(request: HttpRequest, student: Any, club: Club | None) -> HttpResponse:
    initial = {}
    if club is not None:
        initial = {k: getattr(club, k) for k in ClubForm.base_fields}
    form = ClubForm(request.POST or None, initial=initial)
    done_url = reverse("portfolio:clubs", kwargs={"student_id": student.id})
    if request.method == "POST" and form.is_valid():
        # Only a new record needs the guard: saving an edit twice changes nothing.
        with submit_once(request, fallback=done_url, enabled=club is None) as once:
            if once.duplicate:
                return once.duplicate
            try:
                if club is None:
                    services.club_create(student=student, by=request.user, data=form.cleaned_data)
                else:
                    services.club_update(club=club, data=form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Запись сохранена."))
                return once.done(done_url)
    return _page(request, "portfolio/club_form.html", student, "clubs", form=form, club=club)


def club_add(request: HttpRequest, student_id: int) -> HttpResponse:
    student = selectors.student_for(_user(request), student_id, "portfolio.add")
    return _club_form_page(request, student, None)


def _club_for(request: HttpRequest, student_id: int, club_id: int) -> tuple[Any, Club]:
    student = selectors.student_for(_user(request), student_id, "portfolio.add")
    club = Club.objects.filter(pk=club_id, student=student).first()
    if club is None:
        raise Http404
    return student, club


def club_edit(request: HttpRequest, student_id: int, club_id: int) -> HttpResponse:
    student, club = _club_for(request, student_id, club_id)
    return _club_form_page(request, student, club)


@require_http_methods(["GET", "POST"])
def club_delete(request: HttpRequest, student_id: int, club_id: int) -> HttpResponse:
    student, club = _club_for(request, student_id, club_id)
    if request.method != "POST":
        return confirm_delete(
            request,
            what=_("запись о секции «%(n)s»") % {"n": club.name},
            cancel_url=reverse("portfolio:club_edit", args=[student.id, club.id]),
        )
    services.club_delete(club=club)
    messages.success(request, _("Запись удалена."))
    return redirect("portfolio:clubs", student_id=student.id)


# ---------------------------------------------------------------- interests, olympiads (E3, E4)


def _section_of(category: str) -> str:
    return (
        "olympiads"
        if category == Category.OLYMPIAD
        else ("interests" if category in SPHERES else "rating")
    )


def _section_url(student_id: int, category: str) -> str:
    section = _section_of(category)
    if section == "interests":
        return (
            reverse("portfolio:interests", kwargs={"student_id": student_id})
            + f"?sphere={category}"
        )
    return reverse(f"portfolio:{section}", kwargs={"student_id": student_id})


@replica_reads
def interests(request: HttpRequest, student_id: int) -> HttpResponse:
    student = selectors.student_for(_user(request), student_id)
    sphere = request.GET.get("sphere", Category.CREATIVITY)
    if sphere not in SPHERES:
        sphere = Category.CREATIVITY
    items = selectors.achievements_of(student, [sphere])
    selectors.annotate_points(items, selectors.points_table(student.organisation_id))
    return _page(
        request,
        "portfolio/achievements.html",
        student,
        "interests",
        achievements=items,
        sphere=sphere,
        sphere_label=Category(sphere).label,
        spheres=selectors.spheres(),
        category=sphere,
    )


@replica_reads
def olympiads(request: HttpRequest, student_id: int) -> HttpResponse:
    student = selectors.student_for(_user(request), student_id)
    items = selectors.achievements_of(student, [Category.OLYMPIAD])
    selectors.annotate_points(items, selectors.points_table(student.organisation_id))
    return _page(
        request,
        "portfolio/achievements.html",
        student,
        "olympiads",
        achievements=items,
        category=Category.OLYMPIAD,
        sphere_label=Category.OLYMPIAD.label,
    )


def achievement_add(request: HttpRequest, student_id: int, category: str) -> HttpResponse:
    student = selectors.student_for(_user(request), student_id, "portfolio.add")
    if category not in Category.values:
        raise Http404
    form = AchievementForm(request.POST or None, request.FILES or None, category=category)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data.get(k) for k in form.fields}
        done_url = _section_url(student.id, category)
        with submit_once(request, fallback=done_url) as once:
            if once.duplicate:
                return once.duplicate
            try:
                services.achievement_create(
                    student=student,
                    by=request.user,
                    category=category,
                    data=data,
                    confirmed=request.user.has_perm("portfolio.review", student),
                    rounds=form.rounds(),
                    uploads=form.uploads(),
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Достижение добавлено."))
                return once.done(done_url)
    return _page(
        request,
        "portfolio/achievement_form.html",
        student,
        _section_of(category),
        form=form,
        category_label=Category(category).label,
        achievement=None,
        back=_section_url(student.id, category),
    )


def achievement_edit(request: HttpRequest, achievement_id: int) -> HttpResponse:
    achievement = selectors.achievement_for(_user(request), achievement_id, "portfolio.add")
    student = achievement.student
    category = achievement.category
    initial: dict[str, Any] = {
        k: getattr(achievement, k)
        for k in ("work_type", "work_kind", "sport_kind", "name", "year", "level", "subject",
                  "result", "teacher_name", "comment", "present", "defended")
    }  # fmt: skip
    for r in achievement.rounds.all():
        initial[f"round_{r.stage}"] = r.place
    form = AchievementForm(
        request.POST or None, request.FILES or None, category=category, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data.get(k) for k in form.fields}
        try:
            services.achievement_update(
                achievement=achievement,
                by=request.user,
                data=data,
                by_reviewer=request.user.has_perm("portfolio.review", student),
                rounds=form.rounds(),
                uploads=form.uploads(),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Изменения сохранены."))
            return redirect(_section_url(student.id, category))
    selectors.annotate_points([achievement], {})
    return _page(
        request,
        "portfolio/achievement_form.html",
        student,
        _section_of(category),
        form=form,
        category_label=Category(category).label,
        achievement=achievement,
        back=_section_url(student.id, category),
    )


@require_http_methods(["GET", "POST"])
def achievement_delete(request: HttpRequest, achievement_id: int) -> HttpResponse:
    achievement = selectors.achievement_for(_user(request), achievement_id, "portfolio.add")
    if request.method != "POST":
        return confirm_delete(
            request,
            what=_("достижение «%(n)s»") % {"n": achievement.name},
            cancel_url=reverse("portfolio:achievement_edit", args=[achievement.id]),
        )
    student_id, category = achievement.student_id, achievement.category
    services.achievement_delete(achievement=achievement)
    messages.success(request, _("Достижение удалено."))
    return redirect(_section_url(student_id, category))


@require_POST
def achievement_confirm(request: HttpRequest, achievement_id: int) -> HttpResponse:
    achievement = selectors.achievement_for(_user(request), achievement_id, "portfolio.review")
    services.achievement_confirm(achievement=achievement, by=request.user)
    messages.success(request, _("Достижение «%(n)s» подтверждено.") % {"n": achievement.name})
    return redirect(_next(request, reverse("portfolio:queue")))


@require_POST
def achievement_reject(request: HttpRequest, achievement_id: int) -> HttpResponse:
    achievement = selectors.achievement_for(_user(request), achievement_id, "portfolio.review")
    form = RejectForm(request.POST)
    try:
        services.achievement_reject(
            achievement=achievement,
            by=request.user,
            reason=form.data.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(m for v in exc.message_dict.values() for m in v))
    else:
        messages.success(request, _("Достижение «%(n)s» отклонено.") % {"n": achievement.name})
    return redirect(_next(request, reverse("portfolio:queue")))


def _next(request: HttpRequest, default: str) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    # Only a path of this site: redirect() reads any other word as a view name (a 500).
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return default


def queue(request: HttpRequest) -> HttpResponse:
    if not _user(request).has_perm("portfolio.confirm_queue"):
        raise Http404
    return render(
        request,
        "portfolio/queue.html",
        {
            "achievements": selectors.review_queue(request.user),
            "students": selectors.students_for_staff(request.user),
            "reject_form": RejectForm(),
        },
    )


# ---------------------------------------------------------------- files (E11)


def file_view(request: HttpRequest, file_id: int) -> HttpResponseBase:
    record = selectors.file_for(_user(request), file_id)
    thumb = request.GET.get("thumb") == "1" and record.thumbnail
    stored = record.thumbnail if thumb else record.file
    response = FileResponse(
        stored.open("rb"),
        content_type="image/jpeg" if thumb else record.content_type,
        as_attachment=request.GET.get("download") == "1",
        filename=record.name,
    )
    # Files are the family's own uploads: never let one run as a page of the site.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_http_methods(["GET", "POST"])
def file_delete(request: HttpRequest, file_id: int) -> HttpResponse:
    record = selectors.file_for(_user(request), file_id)
    student = record.achievement.student
    if not request.user.has_perm("portfolio.add", student):
        raise Http404
    achievement_id = record.achievement_id
    if request.method != "POST":
        return confirm_delete(
            request,
            what=_("файл «%(n)s»") % {"n": record.name},
            cancel_url=reverse("portfolio:achievement_edit", args=[achievement_id]),
        )
    services.achievement_file_delete(
        record=record, by_reviewer=request.user.has_perm("portfolio.review", student)
    )
    messages.success(request, _("Файл удалён."))
    return redirect("portfolio:achievement_edit", achievement_id=achievement_id)


# ---------------------------------------------------------------- control (E5)


@replica_reads
def control(request: HttpRequest, student_id: int) -> HttpResponse:
    student = selectors.student_for(_user(request), student_id)
    data = selectors.control_of(student, request.GET.get("tab", "control"))
    return _page(
        request,
        "portfolio/control.html",
        student,
        "control",
        control=data,
        charts={
            "averages": data.averages_chart,
            "tests": data.tests_chart,
            "regional": data.regional_chart,
        },
    )


def diagnostic_add(request: HttpRequest, student_id: int) -> HttpResponse:
    student = selectors.student_for(_user(request), student_id, "portfolio.enter_results")
    form = DiagnosticForm(request.POST or None, organisation_id=student.organisation_id)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        tab = {"niko": "niko", "vpr": "vpr"}.get(d["kind"], "control")
        done_url = reverse("portfolio:control", kwargs={"student_id": student.id}) + f"?tab={tab}"
        with submit_once(request, fallback=done_url) as once:
            if once.duplicate:
                return once.duplicate
            try:
                services.diagnostic_create(
                    student=student,
                    by=request.user,
                    kind=d["kind"],
                    subject=d["subject"],
                    date=d["date"],
                    score=d["score"],
                    max_score=d["max_score"],
                    mark=d["mark"],
                    tasks=services.parse_tasks(d["tasks"]),
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Результат работы сохранён."))
                return once.done(done_url)
    return _page(request, "portfolio/diagnostic_form.html", student, "control", form=form)


def _staff_organisation(request: HttpRequest, perm: str) -> Organisation:
    viewer = viewer_from_request(request)
    _user(request)
    org_ids = sorted(viewer.staff_org_ids)
    wanted = request.GET.get("org") or request.POST.get("org")
    for org in Organisation.objects.filter(id__in=org_ids).order_by("id"):
        if (not wanted or str(org.id) == wanted) and request.user.has_perm(perm, org):
            return org
    raise Http404


def diagnostics_import(request: HttpRequest) -> HttpResponse:
    organisation = _staff_organisation(request, "portfolio.import_diagnostics")
    report = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            form.add_error("file", _("Файл больше 2 МБ."))
        else:
            raw = upload.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("cp1251", errors="replace")
            report = services.diagnostics_import(
                organisation=organisation,
                by=request.user,
                text=text,
                may_import_for=diagnostics_import_scope(request.user, organisation),
            )
            if report.ok:
                messages.success(
                    request,
                    _("Файл загружен: добавлено результатов — %(c)s, обновлено — %(u)s.")
                    % {"c": report.created, "u": report.updated},
                )
    return render(
        request,
        "portfolio/diagnostics_import.html",
        {
            "form": form,
            "report": report,
            "organisation": organisation,
            "columns": services.IMPORT_COLUMNS,
        },
    )


# ---------------------------------------------------------------- attestation (E6), testing (E7)


@replica_reads
def attestation(request: HttpRequest, student_id: int) -> HttpResponse:
    student = selectors.student_for(_user(request), student_id)
    return _page(
        request,
        "portfolio/attestation.html",
        student,
        "attestation",
        years=selectors.attestation_of(student),
    )


@replica_reads
def testing(request: HttpRequest, student_id: int) -> HttpResponse:
    student = selectors.student_for(_user(request), student_id)
    return _page(
        request,
        "portfolio/testing.html",
        student,
        "testing",
        results=selectors.testing_of(student),
    )


def testing_add(request: HttpRequest, student_id: int) -> HttpResponse:
    student = selectors.student_for(_user(request), student_id, "portfolio.enter_results")
    form = TestingForm(request.POST or None, organisation_id=student.organisation_id)
    if request.method == "POST" and form.is_valid():
        done_url = reverse("portfolio:testing", kwargs={"student_id": student.id})
        with submit_once(request, fallback=done_url) as once:
            if once.duplicate:
                return once.duplicate
            try:
                services.testing_result_create(
                    student=student, by=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Результат тестирования сохранён."))
                return once.done(done_url)
    return _page(request, "portfolio/testing_form.html", student, "testing", form=form)


# ---------------------------------------------------------------- points table (E9)


def points(request: HttpRequest) -> HttpResponse:
    organisation = _staff_organisation(request, "portfolio.manage_points")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {k: v for k, v in request.POST.items() if k.count(":") == 3}
        try:
            services.points_table_save(organisation=organisation, values=values)
        except ValidationError as exc:
            errors = exc.message_dict
            messages.error(request, _("Таблица не сохранена: исправьте выделенные ячейки."))
        else:
            messages.success(request, _("Баллы сохранены. Рейтинги пересчитаны."))
            return redirect("portfolio:points")
    table = selectors.points_table(organisation.id)
    posted = request.POST if errors else {}
    round_groups = []
    for category in Category.values:
        if category not in ROUND_CATEGORIES:
            continue
        rows = []
        for stage, stage_label in Stage.choices:
            cells = []
            for place in ("1", "2", "3", "у"):
                key = services.points_key(category, stage, place)
                cells.append(
                    {
                        "key": key,
                        "value": posted.get(key, table[key]),
                        "error": key in errors,
                    }
                )
            rows.append({"stage": stage_label, "cells": cells})
        round_groups.append({"category": Category(category).label, "rows": rows})
    item_rows = []
    for category in Category.values:
        if category not in PRESENCE_CATEGORIES:
            continue
        cells = []
        for item in PointsItem.values:
            key = services.points_key(category, item=item)
            cells.append(
                {
                    "key": key,
                    "value": posted.get(key, table[key]),
                    "error": key in errors,
                }
            )
        item_rows.append({"category": Category(category).label, "cells": cells})
    return render(
        request,
        "portfolio/points.html",
        {"organisation": organisation, "round_groups": round_groups, "item_rows": item_rows,
         "items": PointsItem.choices, "pending_status": Status.PENDING},
    )  # fmt: skip
