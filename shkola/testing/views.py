from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shkola.accounts.selectors import viewer_from_request
from shkola.core import clock, params
from shkola.core.once import submit_once
from shkola.schools.models import ClassUnit, StudyGroup, Subject

from . import selectors, services
from .forms import DrawForm, GradeForm, JournalForm, QuestionForm, TestSettingsForm
from .models import Attempt, AttemptQuestion, Question, QuestionKind, Test

DATA_FIELDS = ("options", "correct", "accepted", "value", "tolerance", "left", "right", "items")


def _apply_errors(form: Any, exc: ValidationError) -> None:
    for key, errors in exc.message_dict.items():
        target = key if key in form.fields else None
        for error in errors:
            form.add_error(target, error)


def _teacher(request: HttpRequest) -> Any:
    viewer = viewer_from_request(request)
    if not request.user.has_perm("testing.keep_bank"):
        raise Http404
    return viewer


def _school(viewer: Any) -> Any:
    from shkola.schools.models import Organisation

    return Organisation.objects.get(pk=min(viewer.teacher_org_ids))


def _school_of(viewer: Any, subject: Subject) -> Any:
    """The school of the chosen subject — a teacher of two schools writes into the one the
    subject is taught in, never simply the first; a subject outside their schools is a 404."""
    from shkola.schools.models import Organisation

    if subject.organisation_id not in viewer.teacher_org_ids:
        raise Http404
    return Organisation.objects.get(pk=subject.organisation_id)


def _student(request: HttpRequest) -> Any:
    viewer = viewer_from_request(request)
    if not request.user.has_perm("testing.take_tests"):
        raise Http404
    return viewer.own_student


# ------------------------------------------------------------------ index


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    viewer = viewer_from_request(request)
    if request.user.has_perm("testing.take_tests"):
        return render(
            request,
            "testing/student_index.html",
            {"items": selectors.student_tests(viewer.own_student)},  # type: ignore[arg-type]
        )
    _teacher(request)
    return render(
        request,
        "testing/teacher_index.html",
        {
            "tests": selectors.tests_of_teacher(request.user, viewer.admin_org_ids),
            "now": clock.now(),
        },
    )


# ------------------------------------------------------------------ the bank


@login_required
@require_GET
def bank(request: HttpRequest) -> HttpResponse:
    viewer = _teacher(request)
    subjects = selectors.teacher_subjects(request.user, viewer.teacher_org_ids)
    subject_id = params.parse_id(request.GET.get("subject", ""))
    kind = request.GET.get("kind", "")
    if kind not in QuestionKind.values:
        kind = ""
    chosen = next((s for s in subjects if s.id == subject_id), None)
    school_id = (
        chosen.organisation_id
        if chosen is not None and chosen.organisation_id in viewer.teacher_org_ids
        else _school(viewer).pk
    )
    questions = selectors.bank(request.user, school_id, subject_id=subject_id, kind=kind)
    return render(
        request,
        "testing/bank.html",
        {
            "questions": questions,
            "subjects": subjects,
            "subject_id": subject_id,
            "kind": kind,
            "kinds": QuestionKind.choices,
            "limit": selectors.BANK_LIMIT,
        },
    )


def _initial_of(question: Question) -> dict[str, Any]:
    data = question.data
    initial: dict[str, Any] = {
        "subject": question.subject_id,
        "kind": question.kind,
        "text": question.text,
        "points": question.points,
        "topic": question.topic,
        "kes_codes": question.kes_codes,
        "kt_codes": question.kt_codes,
        "shared": question.shared,
    }
    for name in ("options", "accepted", "left", "right", "items"):
        if name in data:
            initial[name] = "\n".join(data[name])
    if "correct" in data:
        initial["correct"] = ", ".join(str(i + 1) for i in data["correct"])
    for name in ("value", "tolerance"):
        if name in data:
            initial[name] = data[name].replace(".", ",")
    return initial


def _question_form_page(request: HttpRequest, question: Question | None) -> HttpResponse:
    viewer = _teacher(request)
    subjects = selectors.teacher_subjects(request.user, viewer.teacher_org_ids)
    initial: dict[str, Any] = (
        _initial_of(question) if question else {"kind": request.GET.get("kind", "single")}
    )
    if question is None and params.parse_id(request.GET.get("subject", "")):
        initial["subject"] = params.parse_id(request.GET.get("subject", ""))
    form = QuestionForm(
        request.POST or None, request.FILES or None, initial=initial, subjects=subjects
    )
    if request.method == "POST" and form.is_valid():
        with submit_once(
            request, fallback=reverse("testing:bank"), enabled=question is None
        ) as once:
            if once.duplicate:
                return once.duplicate
            response = _question_save(request, form, subjects, viewer, question)
            if response is not None:
                return once.done(response.url)
    return render(
        request,
        "testing/question_form.html",
        {"form": form, "question": question, "kinds": QuestionKind.choices},
        status=400 if form.errors else 200,
    )


def _question_save(
    request: HttpRequest, form: Any, subjects: list[Subject], viewer: Any, question: Any
) -> Any:
    data = form.cleaned_data
    subject = next(s for s in subjects if s.id == data["subject"])
    try:
        saved = services.question_save(
            owner=request.user,
            organisation=question.organisation
            if question is not None
            else _school_of(viewer, subject),
            subject=subject,
            kind=data["kind"],
            text=data["text"],
            data={k: data.get(k, "") for k in DATA_FIELDS},
            points=data["points"],
            topic=data.get("topic", ""),
            kes_codes=data.get("kes_codes", ""),
            kt_codes=data.get("kt_codes", ""),
            shared=data.get("shared", False),
            image=data.get("image"),
            remove_image=data.get("remove_image", False),
            question=question,
        )
    except ValidationError as exc:
        _apply_errors(form, exc)
        return None
    messages.success(request, _("Вопрос сохранён в банке."))
    return redirect(reverse("testing:bank") + f"?subject={saved.subject_id}")


@login_required
@require_http_methods(["GET", "POST"])
def question_new(request: HttpRequest) -> HttpResponse:
    return _question_form_page(request, None)


def _question(request: HttpRequest, question_id: int, perm: str) -> Question:
    viewer = viewer_from_request(request)
    question = selectors.question_for(request.user, viewer.staff_org_ids, question_id)
    if question is None or not request.user.has_perm(perm, question):
        raise Http404
    return question


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, question_id: int) -> HttpResponse:
    question = _question(request, question_id, "testing.change_question")
    if request.method == "POST" and request.POST.get("action") == "archive":
        services.question_archive(question=question)
        messages.success(request, _("Вопрос убран из банка."))
        return redirect("testing:bank")
    return _question_form_page(request, question)


def _image_response(question: Question) -> HttpResponseBase:
    if not question.image:
        raise Http404
    try:
        stored = question.image.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(stored, content_type=question.image_type or "application/octet-stream")
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@require_GET
def question_image(request: HttpRequest, question_id: int) -> HttpResponseBase:
    return _image_response(_question(request, question_id, "testing.view_question"))


# ------------------------------------------------------------------ tests


def _targets(
    request: HttpRequest, viewer: Any
) -> tuple[list[Subject], list[ClassUnit], list[StudyGroup]]:
    subjects = selectors.teacher_subjects(request.user, viewer.teacher_org_ids)
    classes, groups = selectors.teacher_targets(request.user, viewer.teacher_org_ids)
    return subjects, classes, groups


def _settings_initial(test: Test | None) -> dict[str, Any]:
    if test is None:
        start = clock.now().replace(second=0, microsecond=0)
        return {
            "opens_at": start,
            "closes_at": start + dt.timedelta(days=7),
            "time_limit_minutes": 30,
            "attempts_allowed": 1,
            "shuffle_options": True,
            "mark5_percent": 85,
            "mark4_percent": 65,
            "mark3_percent": 45,
        }
    return {
        "subject": test.subject_id,
        "title": test.title,
        "description": test.description,
        "opens_at": timezone.localtime(test.opens_at),
        "closes_at": timezone.localtime(test.closes_at),
        "time_limit_minutes": test.time_limit_minutes,
        "attempts_allowed": test.attempts_allowed,
        "shuffle_questions": test.shuffle_questions,
        "shuffle_options": test.shuffle_options,
        "class_units": [c.id for c in test.class_units.all()],
        "groups": [g.id for g in test.groups.all()],
        "mark5_percent": test.mark5_percent,
        "mark4_percent": test.mark4_percent,
        "mark3_percent": test.mark3_percent,
        "release_mode": test.release_mode,
    }


def _save_settings(
    request: HttpRequest, form: Any, viewer: Any, test: Test | None, lists: Any
) -> Test | None:
    subjects, classes, groups = lists
    data = form.cleaned_data
    subject = next(s for s in subjects if s.id == data["subject"])
    try:
        return services.test_save(
            owner=request.user,
            # editing keeps the test's school (a subject of another one is refused there)
            organisation=test.organisation if test is not None else _school_of(viewer, subject),
            subject=subject,
            title=data["title"],
            description=data.get("description", ""),
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            time_limit_minutes=data.get("time_limit_minutes"),
            attempts_allowed=data["attempts_allowed"],
            shuffle_questions=data.get("shuffle_questions", False),
            shuffle_options=data.get("shuffle_options", False),
            class_units=[c for c in classes if c.id in set(data.get("class_units") or [])],
            groups=[g for g in groups if g.id in set(data.get("groups") or [])],
            mark5_percent=data["mark5_percent"],
            mark4_percent=data["mark4_percent"],
            mark3_percent=data["mark3_percent"],
            release_mode=data["release_mode"],
            test=test,
        )
    except ValidationError as exc:
        _apply_errors(form, exc)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def test_new(request: HttpRequest) -> HttpResponse:
    viewer = _teacher(request)
    lists = _targets(request, viewer)
    subjects, classes, groups = lists
    form = TestSettingsForm(
        request.POST or None,
        initial=_settings_initial(None),
        subjects=subjects,
        classes=classes,
        groups=groups,
    )
    if request.method == "POST" and form.is_valid():
        with submit_once(request, fallback=reverse("testing:index")) as once:
            if once.duplicate:
                return once.duplicate
            test = _save_settings(request, form, viewer, None, lists)
            if test is not None:
                messages.success(request, _("Тест создан. Добавьте вопросы из банка."))
                return once.done(reverse("testing:test_edit", args=[test.pk]))
    return render(
        request,
        "testing/test_new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _own_test(request: HttpRequest, test_id: int, perm: str = "testing.manage_test") -> Test:
    test = selectors.test_for(viewer_from_request(request), test_id)
    if test is None or not request.user.has_perm(perm, test):
        raise Http404
    return test


@login_required
@require_http_methods(["GET", "POST"])
def test_edit(request: HttpRequest, test_id: int) -> HttpResponse:
    viewer = _teacher(request)
    test = _own_test(request, test_id)
    lists = _targets(request, viewer)
    subjects, classes, groups = lists
    action = request.POST.get("action", "") if request.method == "POST" else ""
    settings_form = TestSettingsForm(
        request.POST if action == "settings" else None,
        initial=_settings_initial(test),
        subjects=subjects,
        classes=classes,
        groups=groups,
    )
    draw_form = DrawForm(request.POST if action == "draw" else None)
    errors: list[str] = []
    if request.method == "POST":
        try:
            if action == "settings":
                if settings_form.is_valid() and _save_settings(
                    request, settings_form, viewer, test, lists
                ):
                    messages.success(request, _("Настройки теста сохранены."))
                    return redirect("testing:test_edit", test.pk)
            elif action == "add":
                ids = [params.parse_id(v) for v in request.POST.getlist("question")]
                pool = {
                    q.id: q
                    for q in selectors.bank(
                        request.user, test.organisation_id, subject_id=test.subject_id
                    )
                }
                chosen = [pool[i] for i in ids if i in pool]
                if not chosen:
                    errors.append(_("Отметьте вопросы банка, которые добавить."))
                for question in chosen:
                    services.test_item_add(test=test, question=question)
                if chosen:
                    messages.success(request, _("Добавлено вопросов: %(n)s.") % {"n": len(chosen)})
                    return redirect("testing:test_edit", test.pk)
            elif action == "draw":
                if draw_form.is_valid():
                    data = draw_form.cleaned_data
                    services.test_item_add(
                        test=test,
                        draw_count=data["draw_count"],
                        draw_topic=data.get("draw_topic", ""),
                        draw_kes=data.get("draw_kes", ""),
                    )
                    messages.success(request, _("Случайный выбор добавлен."))
                    return redirect("testing:test_edit", test.pk)
            elif action == "remove":
                item = test.items.filter(pk=params.parse_id(request.POST.get("item")) or 0).first()
                if item is not None:
                    services.test_item_remove(item=item)
                    messages.success(request, _("Позиция убрана из теста."))
                return redirect("testing:test_edit", test.pk)
            elif action == "publish":
                services.test_publish(test=test)
                messages.success(request, _("Тест назначен: ученики видят его в разделе «Тесты»."))
                return redirect("testing:test_edit", test.pk)
            else:
                errors.append(_("Неизвестное действие."))
        except ValidationError as exc:
            target = draw_form if action == "draw" else None
            if target is not None:
                _apply_errors(target, exc)
            else:
                errors.extend(m for ms in exc.message_dict.values() for m in ms)
    items = selectors.test_items(test)
    in_test = {i.question_id for i in items if i.question_id}
    bank_questions = [
        q
        for q in selectors.bank(request.user, test.organisation_id, subject_id=test.subject_id)
        if q.id not in in_test
    ]
    failed = bool(errors or settings_form.errors or draw_form.errors)
    return render(
        request,
        "testing/test_edit.html",
        {
            "test": test,
            "items": items,
            "bank": bank_questions,
            "settings_form": settings_form,
            "draw_form": draw_form,
            "errors": errors,
            "max_score": sum(i.question.points for i in items if i.question),
        },
        status=400 if failed else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def results(request: HttpRequest, test_id: int) -> HttpResponse:
    test = _own_test(request, test_id, "testing.view_results")
    if request.method == "POST":
        if not request.user.has_perm("testing.manage_test", test):
            raise Http404
        release = request.POST.get("action") == "release"
        services.test_release_answers(test=test, release=release)
        messages.success(
            request,
            _("Ответы и решения открыты ученикам.") if release else _("Ответы и решения скрыты."),
        )
        return redirect("testing:results", test.pk)
    ctx = selectors.results(test)
    ctx.update(test=test, released=services.answers_released(test), now=clock.now())
    return render(request, "testing/results.html", ctx)


# ------------------------------------------------------------------ review


def _attempt_staff(request: HttpRequest, attempt_id: int) -> Attempt:
    attempt = selectors.attempt_for_staff(viewer_from_request(request), attempt_id)
    if attempt is None or not request.user.has_perm("testing.review_attempt", attempt):
        raise Http404
    services.attempt_expire_if_due(attempt=attempt)
    return attempt


def _to_portfolio(request: HttpRequest, attempt: Attempt) -> None:
    """After the mark went to the journal: the result to the portfolio too, unless it is there
    already; a refusal here leaves the journal's mark as it is and says why."""
    if attempt.portfolio_result_id is not None:
        return
    try:
        services.attempt_to_portfolio(attempt=attempt, by=request.user)
    except ValidationError as exc:
        messages.warning(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        messages.success(request, _("Результат добавлен в портфолио («Тестирование»)."))


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _attempt_staff(request, attempt_id)
    lessons = selectors.journal_lessons(attempt)
    forms_ = selectors.control_forms(attempt.test.organisation_id)
    journal_form = JournalForm(
        request.POST if request.POST.get("action") == "journal" else None,
        lessons=lessons,
        forms_=forms_,
    )
    errors: list[str] = []
    grade_errors: dict[int, str] = {}
    if request.method == "POST":
        # The administration may look; grading and sending the mark on are the owner's.
        if not request.user.has_perm("testing.manage_test", attempt.test):
            raise Http404
        action = request.POST.get("action", "")
        try:
            if action == "grade":
                position = params.parse_id(request.POST.get("position", "")) or 0
                aq = attempt.questions.filter(position=position).first()
                if aq is None:
                    raise Http404
                form = GradeForm(request.POST)
                if form.is_valid():
                    services.answer_grade(
                        attempt_question=aq,
                        score=form.cleaned_data["score"],
                        feedback=form.cleaned_data.get("feedback", ""),
                        by=request.user,
                    )
                    messages.success(request, _("Оценка за ответ сохранена."))
                    return redirect(reverse("testing:review", args=[attempt.pk]) + f"#q{position}")
                grade_errors[position] = " ".join(str(e) for es in form.errors.values() for e in es)
            elif action == "journal":
                if journal_form.is_valid():
                    lesson = next(x for x in lessons if x.id == journal_form.cleaned_data["lesson"])
                    form_id = journal_form.cleaned_data.get("control_form")
                    control_form = next((f for f in forms_ if f.id == form_id), None)
                    if not request.user.has_perm("journal.edit_lesson", lesson):
                        raise ValidationError({"lesson": _("Этот урок вам недоступен.")})
                    services.attempt_to_journal(
                        attempt=attempt,
                        lesson=lesson,
                        control_form=control_form,
                        by=request.user,
                        may_edit_closed=request.user.has_perm("journal.edit_closed", lesson),
                    )
                    messages.success(request, _("Отметка выставлена в журнал."))
                    if journal_form.cleaned_data.get("to_portfolio"):
                        _to_portfolio(request, attempt)
                    return redirect("testing:review", attempt.pk)
            elif action == "portfolio":
                services.attempt_to_portfolio(attempt=attempt, by=request.user)
                messages.success(request, _("Результат добавлен в портфолио («Тестирование»)."))
                return redirect("testing:review", attempt.pk)
            else:
                errors.append(_("Неизвестное действие."))
        except ValidationError as exc:
            if action == "grade":
                grade_errors[params.parse_id(request.POST.get("position", "")) or 0] = " ".join(
                    m for ms in exc.message_dict.values() for m in ms
                )
            elif action == "journal":
                _apply_errors(journal_form, exc)
            else:
                errors.extend(m for ms in exc.message_dict.values() for m in ms)
        attempt = _attempt_staff(request, attempt_id)
    rows = selectors.attempt_questions(attempt)
    return render(
        request,
        "testing/review.html",
        {
            "attempt": attempt,
            "rows": [_row_view(r, released=True) for r in rows],
            "journal_form": journal_form,
            "errors": errors,
            "grade_errors": grade_errors,
            "may_manage": request.user.has_perm("testing.manage_test", attempt.test),
        },
        status=400 if errors or grade_errors or journal_form.errors else 200,
    )


# ------------------------------------------------------------------ taking a test


@login_required
@require_http_methods(["GET", "POST"])
def take(request: HttpRequest, test_id: int) -> HttpResponse:
    """The test's card for the student; POST starts (or resumes) the attempt."""
    student = _student(request)
    item = next((i for i in selectors.student_tests(student) if i.test.pk == test_id), None)
    if item is None:
        raise Http404
    refusal = ""
    if request.method == "POST":
        try:
            attempt = services.attempt_start(test=item.test, student=student)
        except services.Refusal as exc:
            refusal = exc.message
        else:
            return redirect("testing:attempt", attempt.pk)
        item = next(i for i in selectors.student_tests(student) if i.test.pk == test_id)
    return render(
        request,
        "testing/take.html",
        {"item": item, "refusal": refusal, "now": clock.now()},
        status=409 if refusal else 200,
    )


def _attempt_student(request: HttpRequest, attempt_id: int) -> Attempt:
    student = _student(request)
    attempt = selectors.attempt_of_student(student, attempt_id)
    if attempt is None:
        raise Http404
    services.attempt_expire_if_due(attempt=attempt)
    return attempt


def _row_view(aq: AttemptQuestion, *, released: bool) -> dict[str, Any]:
    """What the page shows of a question: options in the attempt's order, the answer given,
    and (when released) what was right."""
    q = aq.question
    data = q.data
    answer = aq.answer
    view: dict[str, Any] = {"aq": aq, "q": q, "kind": q.kind, "released": released}
    if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        chosen = set(answer or [])
        view["options"] = [
            {
                "index": i,
                "text": data["options"][i],
                "checked": i in chosen,
                "correct": i in data["correct"],
            }
            for i in aq.order
        ]
    elif q.kind == QuestionKind.MATCHING:
        pairs = answer or [None] * len(data["left"])
        codes = services.answer_codes(aq)
        view["right"] = [{"index": i, "code": codes[i], "text": data["right"][i]} for i in aq.order]
        view["pairs"] = [
            {
                "index": i,
                "left": left,
                "chosen": pairs[i] if i < len(pairs) else None,
                "chosen_text": data["right"][pairs[i]]
                if i < len(pairs) and pairs[i] is not None
                else "",
                "correct_text": data["right"][i],
            }
            for i, left in enumerate(data["left"])
        ]
    elif q.kind == QuestionKind.ORDERING:
        places = answer or [None] * len(data["items"])
        view["places"] = list(range(len(data["items"])))
        codes = services.answer_codes(aq)
        view["order_items"] = [
            {
                "index": i,
                "code": codes[i],
                "text": data["items"][i],
                "place": places[i] if i < len(places) else None,
            }
            for i in aq.order
        ]
        view["correct_order"] = data["items"]
    else:
        view["text"] = answer or ""
        if q.kind == QuestionKind.SHORT:
            view["correct_text"] = " / ".join(data["accepted"])
        elif q.kind == QuestionKind.NUMBER:
            view["correct_text"] = data["value"].replace(".", ",") + (
                f" ± {data['tolerance'].replace('.', ',')}"
                if data.get("tolerance") not in (None, "0")
                else ""
            )
    return view


@login_required
@require_GET
def attempt(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _attempt_student(request, attempt_id)
    rows = selectors.attempt_questions(attempt)
    if attempt.is_finished:
        used = Attempt.objects.filter(test_id=attempt.test_id, student_id=attempt.student_id)
        released = services.answers_shown_to_student(attempt.test, used.count())
        return render(
            request,
            "testing/attempt_done.html",
            {
                "attempt": attempt,
                "released": released,
                "released_later": not released and services.answers_released(attempt.test),
                "rows": [_row_view(r, released=released) for r in rows] if released else [],
            },
        )
    position = params.parse_id(request.GET.get("q", "")) or attempt.current_position
    current = next((r for r in rows if r.position == position), None)
    if current is None:
        raise Http404
    if position != attempt.current_position:
        services.attempt_move(attempt=attempt, position=position)
    remaining = max(0, int((attempt.deadline - clock.now()).total_seconds()))
    return render(
        request,
        "testing/attempt.html",
        {
            "attempt": attempt,
            "rows": rows,
            "row": _row_view(current, released=False),
            "position": position,
            "prev": position - 1 if position > 1 else None,
            "next": position + 1 if position < len(rows) else None,
            "remaining": remaining,
            "answered": sum(1 for r in rows if r.answer is not None),
        },
    )


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def answer(request: HttpRequest, attempt_id: int) -> HttpResponseBase:
    """One answer, as given. Fetch gets JSON; a plain form (no script) goes on to the next
    question. A refusal says why; nothing saved is lost."""
    attempt = _attempt_student(request, attempt_id)
    position = params.parse_id(request.POST.get("position", "")) or 0
    raw = {k: request.POST.getlist(k) for k in request.POST}
    try:
        services.attempt_answer(attempt=attempt, position=position, raw=raw)
    except AttemptQuestion.DoesNotExist:
        if _wants_json(request):
            return JsonResponse(
                {"ok": False, "error": _("Такого вопроса нет в этой попытке.")}, status=404
            )
        raise Http404 from None
    except services.Refusal as exc:
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": exc.message, "code": exc.code}, status=409)
        messages.error(request, exc.message)
        return redirect("testing:attempt", attempt.pk)
    remaining = max(0, int((attempt.deadline - clock.now()).total_seconds()))
    if _wants_json(request):
        return JsonResponse({"ok": True, "remaining": remaining})
    go = params.parse_id(request.POST.get("go", ""))
    url = reverse("testing:attempt", args=[attempt.pk])
    return redirect(f"{url}?q={go}" if go else f"{url}?q={position}")


@login_required
@require_POST
def finish(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _attempt_student(request, attempt_id)
    _done, now_finished = services.attempt_finish(attempt=attempt)
    if now_finished:
        messages.success(request, _("Тест завершён, ответы отправлены учителю."))
    else:
        messages.info(request, _("Попытка уже завершена — повторно отправлять ничего не нужно."))
    return redirect("testing:attempt", attempt.pk)


@login_required
@require_GET
def attempt_image(request: HttpRequest, attempt_id: int, position: int) -> HttpResponseBase:
    student = _student(request)
    attempt = selectors.attempt_of_student(student, attempt_id)
    aq = (
        AttemptQuestion.objects.select_related("question")
        .filter(attempt=attempt, position=position)
        .first()
        if attempt
        else None
    )
    if aq is None:
        raise Http404
    return _image_response(aq.question)
