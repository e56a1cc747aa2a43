"""Pages of «Модульные курсы». Thin: parse → authorise (``rules``) → one service or selector →
render. Another school's or family's course, module, work or file is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shkola.accounts.selectors import active_student, viewer_from_request
from shkola.core import exports
from shkola.core.once import submit_once
from shkola.core.xlsx_table import table_xlsx
from shkola.schools.models import Organisation

from . import selectors, services
from .forms import AssignmentForm, CourseForm, MaterialForm, ModuleForm, ReturnForm, SubmissionForm
from .models import Course, MaterialKind, Module, SubmissionStatus


def _viewer(request: HttpRequest) -> Any:
    viewer = viewer_from_request(request)
    # The rules cache their Viewer on the user: hand them this request's one.
    request.user._shkola_viewer = viewer  # type: ignore[union-attr]
    return viewer


# The services name the model's fields; the forms call some of them otherwise.
FORM_FIELD = {"files": "attachments"}


def _apply_errors(form: Any, exc: ValidationError) -> None:
    for key, errors in exc.message_dict.items():
        key = FORM_FIELD.get(key, key)
        target = key if key in form.fields else None
        for error in errors:
            form.add_error(target, error)


def _course(request: HttpRequest, course_id: int, perm: str = "courses.view_course") -> Course:
    course = selectors.course_for(_viewer(request), course_id)
    if course is None or not request.user.has_perm(perm, course):
        raise Http404
    return course


def _member_child(request: HttpRequest, course: Course) -> Any:
    """For a parent: the chosen child if they study the course, else the first who does."""
    viewer = _viewer(request)
    chosen = active_student(request)
    children = sorted(viewer.children, key=lambda c: 0 if chosen and c.id == chosen.id else 1)
    for child in children:
        if child.organisation_id == course.organisation_id and selectors.is_member(course, child):
            return child
    return None


# ------------------------------------------------------------------ lists


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The student's courses (and open ones to sign up to), or the chosen child's, with
    progress."""
    viewer = _viewer(request)
    student = active_student(request)
    if student is None or not (viewer.is_student or viewer.is_parent):
        raise Http404
    courses = selectors.student_courses(student)
    progress = selectors.progress_of_student(courses, student)
    rows = [(c, progress[c.id]) for c in courses]
    return render(
        request,
        "courses/mine.html",
        {
            "student": student,
            "rows": rows,
            "open": selectors.open_courses(student, courses) if viewer.is_student else [],
            "is_parent": not viewer.is_student,
        },
    )


@login_required
@require_GET
def teach(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    if not request.user.has_perm("courses.create_course"):
        raise Http404
    return render(request, "courses/teach.html", {"courses": selectors.teacher_courses(viewer)})


def _organisation(request: HttpRequest) -> Organisation:
    viewer = _viewer(request)
    org_ids = viewer.teacher_org_ids | viewer.admin_org_ids
    if not org_ids:
        raise Http404
    org = Organisation.objects.filter(id__in=org_ids).order_by("id").first()
    if org is None:
        raise Http404
    return org


def _course_data(form: CourseForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "description": data.get("description", ""),
        "subject": data.get("subject"),
        "teachers": list(data.get("teachers") or []),
        "class_units": list(data.get("class_units") or []),
        "groups": list(data.get("groups") or []),
        "open_enrolment": bool(data.get("open_enrolment")),
        "starts_on": data.get("starts_on"),
        "ends_on": data.get("ends_on"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("courses.create_course"):
        raise Http404
    org = _organisation(request)
    choices = selectors.school_choices(org.id, first_teacher_ids=[request.user.pk])
    form = CourseForm(
        request.POST or None, choices=choices, initial={"teachers": [request.user.pk]}
    )
    if request.method == "POST" and form.is_valid():
        with submit_once(request, fallback=reverse("courses:teach")) as once:
            if once.duplicate:
                return once.duplicate
            try:
                course = services.course_create(
                    organisation=org, by=request.user, **_course_data(form)
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Курс создан. Добавьте модули."))
                return once.done(reverse("courses:detail", args=[course.id]))
    return render(
        request,
        "courses/course_form.html",
        {"form": form, "course": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(request, course_id, "courses.manage_course")
    choices = selectors.school_choices(
        course.organisation_id, first_teacher_ids=selectors.teacher_ids(course)
    )
    initial = {
        "title": course.title,
        "description": course.description,
        "subject": course.subject_id,
        "teachers": list(selectors.teacher_ids(course)),
        "class_units": list(course.class_units.values_list("id", flat=True)),
        "groups": list(course.groups.values_list("id", flat=True)),
        "open_enrolment": course.open_enrolment,
        "starts_on": course.starts_on,
        "ends_on": course.ends_on,
    }
    form = CourseForm(request.POST or None, choices=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_update(course=course, **_course_data(form))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Курс сохранён."))
            return redirect("courses:detail", course.id)
    return render(
        request,
        "courses/course_form.html",
        {"form": form, "course": course},
        status=400 if form.errors else 200,
    )


# ------------------------------------------------------------------ the course


@login_required
@require_GET
def detail(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(request, course_id)
    user = request.user
    manage = user.has_perm("courses.manage_course", course)
    viewer = _viewer(request)
    student = viewer.own_student if user.has_perm("courses.study_course", course) else None
    child = None
    if not manage and student is None and viewer.is_parent:
        child = _member_child(request, course)
    learner = student or child
    context: dict[str, Any] = {
        "course": course,
        "modules": selectors.outline(course),
        "manage": manage,
        "student": student,
        "child": child,
        "may_sign_up": user.has_perm("courses.sign_up", course),
        "signed_up": bool(viewer.own_student) and selectors.signed_up(course, viewer.own_student),
        "class_units": list(course.class_units.select_related("parallel")),
        "groups": list(course.groups.all()),
    }
    if learner is not None:
        context["progress"] = selectors.student_progress(course, learner)
        works = selectors.student_assignments(course, learner)
        for m in context["modules"]:
            for a in m.assignments.all():
                a.work = works.get(a.id)
        context["works"] = works
        context["opened"] = selectors.opened_material_ids(course, learner)
    if manage:
        context["signups"] = selectors.signups(course)
    return render(request, "courses/detail.html", context)


@login_required
@require_POST
def signup(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(request, course_id, "courses.sign_up")
    student = _viewer(request).own_student
    if request.POST.get("action") == "leave":
        services.course_leave(course=course, student=student)
        messages.success(request, _("Вы вышли из курса «%(c)s».") % {"c": course.title})
        return redirect("courses:mine")
    try:
        services.course_sign_up(course=course, student=student)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Вы записаны на курс «%(c)s».") % {"c": course.title})
    return redirect("courses:detail", course.id)


@login_required
@require_http_methods(["GET", "POST"])
def module_create(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(request, course_id, "courses.manage_course")
    form = ModuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with submit_once(request, fallback=reverse("courses:detail", args=[course.id])) as once:
            if once.duplicate:
                return once.duplicate
            try:
                module = services.module_create(course=course, title=form.cleaned_data["title"])
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Модуль добавлен."))
                return once.done(reverse("courses:module", args=[module.id]))
    return render(
        request,
        "courses/simple_form.html",
        {
            "form": form,
            "course": course,
            "title": _("Новый модуль"),
            "back": reverse("courses:detail", args=[course.id]),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def module_edit(request: HttpRequest, module_id: int) -> HttpResponse:
    module, manage, _student = _module(request, module_id)
    if not manage:
        raise Http404
    form = ModuleForm(request.POST or None, initial={"title": module.title})
    if request.method == "POST" and form.is_valid():
        try:
            services.module_update(module=module, title=form.cleaned_data["title"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Модуль переименован."))
            return redirect("courses:module", module.id)
    return render(
        request,
        "courses/simple_form.html",
        {
            "form": form,
            "course": module.course,
            "title": _("Название модуля"),
            "back": reverse("courses:module", args=[module.id]),
            "editing": True,
        },
        status=400 if form.errors else 200,
    )


def _module(request: HttpRequest, module_id: int) -> tuple[Module, bool, Any]:
    """The module, whether the viewer manages the course, and the student who studies it."""
    viewer = _viewer(request)
    module = selectors.module_for(viewer, module_id)
    if module is None:
        raise Http404
    course = module.course
    manage = request.user.has_perm("courses.manage_course", course)
    student = viewer.own_student if request.user.has_perm("courses.study_course", course) else None
    if not manage and student is None:
        raise Http404
    return module, manage, student


@login_required
@require_GET
def module(request: HttpRequest, module_id: int) -> HttpResponse:
    module, manage, student = _module(request, module_id)
    if student is not None:
        services.materials_open(module=module, student=student)
    materials, assignments = selectors.module_content(module)
    works = selectors.student_assignments(module.course, student) if student else {}
    return render(
        request,
        "courses/module.html",
        {
            "module": module,
            "course": module.course,
            "materials": materials,
            "assignments": [(a, works.get(a.id)) for a in assignments],
            "manage": manage,
            "student": student,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def material_create(request: HttpRequest, module_id: int) -> HttpResponse:
    module, manage, _student = _module(request, module_id)
    if not manage:
        raise Http404
    kind = request.GET.get("kind") or request.POST.get("kind") or MaterialKind.TEXT
    if kind not in MaterialKind.values:
        kind = MaterialKind.TEXT
    form = MaterialForm(request.POST or None, request.FILES or None, initial={"kind": kind})
    back = reverse("courses:module", args=[module.id])
    if request.method == "POST" and form.is_valid():
        with submit_once(request, fallback=back) as once:
            if once.duplicate:
                return once.duplicate
            data = form.cleaned_data
            try:
                services.material_add(
                    module=module,
                    kind=data["kind"],
                    title=data["title"],
                    text=data.get("text", ""),
                    url=data.get("url", ""),
                    upload=data.get("upload"),
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Материал добавлен."))
                return once.done(back)
    return render(
        request,
        "courses/material_form.html",
        {"form": form, "module": module, "course": module.course, "kind": kind, "back": back},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def material_delete(request: HttpRequest, material_id: int) -> HttpResponse:
    material = selectors.material_for(_viewer(request), material_id)
    if material is None or not request.user.has_perm(
        "courses.manage_course", material.module.course
    ):
        raise Http404
    module_id = material.module_id
    services.material_delete(material=material)
    messages.success(request, _("Материал удалён."))
    return redirect("courses:module", module_id)


def _file_response(stored: Any, *, name: str, content_type: str, download: bool) -> FileResponse:
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type=content_type or "application/octet-stream",
        as_attachment=download,
        filename=name or "file",
    )
    # An upload must never run as a page of the site.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@require_GET
def material_file(request: HttpRequest, material_id: int) -> HttpResponseBase:
    material = selectors.material_for(_viewer(request), material_id)
    if material is None or not material.file:
        raise Http404
    course = material.module.course
    user = request.user
    if not (
        user.has_perm("courses.manage_course", course)
        or user.has_perm("courses.study_course", course)
    ):
        raise Http404
    return _file_response(
        material.file,
        name=material.file_name,
        content_type=material.file_content_type,
        download=request.GET.get("download") == "1",
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_create(request: HttpRequest, module_id: int) -> HttpResponse:
    module, manage, _student = _module(request, module_id)
    if not manage:
        raise Http404
    form = AssignmentForm(request.POST or None)
    back = reverse("courses:module", args=[module.id])
    if request.method == "POST" and form.is_valid():
        with submit_once(request, fallback=back) as once:
            if once.duplicate:
                return once.duplicate
            data = form.cleaned_data
            try:
                services.assignment_create(
                    module=module,
                    title=data["title"],
                    instructions=data["instructions"],
                    due_on=data.get("due_on"),
                    is_marked=bool(data.get("is_marked")),
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Задание добавлено."))
                return once.done(back)
    return render(
        request,
        "courses/simple_form.html",
        {
            "form": form,
            "course": module.course,
            "title": _("Новое задание"),
            "subtitle": module.title,
            "back": back,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """The student: the task and their work (send, send again until it is returned). The
    course's teachers: every student's work."""
    viewer = _viewer(request)
    task = selectors.assignment_for(viewer, assignment_id)
    if task is None:
        raise Http404
    course = task.module.course
    manage = request.user.has_perm("courses.manage_course", course)
    student = viewer.own_student if request.user.has_perm("courses.study_course", course) else None
    if not manage and student is None:
        raise Http404
    context: dict[str, Any] = {"task": task, "course": course, "manage": manage}
    status = 200
    if student is not None:
        work = selectors.submission_of(task, student)
        form = SubmissionForm(
            request.POST or None,
            request.FILES or None,
            initial={"text": work.text if work else ""},
        )
        if request.method == "POST":
            if form.is_valid():
                try:
                    services.submission_save(
                        assignment=task,
                        student=student,
                        text=form.cleaned_data.get("text", ""),
                        files=form.cleaned_data.get("attachments") or [],
                    )
                except ValidationError as exc:
                    _apply_errors(form, exc)
                else:
                    messages.success(request, _("Работа отправлена учителю."))
                    return redirect("courses:assignment", task.id)
            status = 400
        context.update({"work": work, "form": form, "student": student})
    elif request.method == "POST":
        raise Http404
    if manage:
        context["rows"] = selectors.assignment_submissions(task)
    return render(request, "courses/assignment.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def submission(request: HttpRequest, submission_id: int) -> HttpResponse:
    """The teacher reads a work and returns it with feedback and, optionally, a mark."""
    work = selectors.submission_for(_viewer(request), submission_id)
    if work is None:
        raise Http404
    course = work.assignment.module.course
    if not request.user.has_perm("courses.manage_course", course):
        raise Http404
    lessons = selectors.lessons_for_mark(course, work.student)
    form = ReturnForm(
        request.POST or None,
        lessons=lessons,
        control_forms=selectors.control_forms(course),
        initial={"feedback": work.feedback},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lesson = data["lesson_object"]
        try:
            services.submission_return(
                submission=work,
                by=request.user,
                feedback=data["feedback"],
                mark=data.get("mark") or "",
                lesson=lesson,
                control_form=data["control_form_object"],
                may_edit_closed=bool(
                    lesson and request.user.has_perm("journal.edit_closed", lesson)
                ),
                may_mark_lesson=bool(
                    lesson is None or request.user.has_perm("journal.edit_lesson", lesson)
                ),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Работа возвращена с отзывом и отметкой «%(m)s» в журнале.") % {"m": data["mark"]}
                if data.get("mark")
                else _("Работа возвращена с отзывом."),
            )
            return redirect("courses:assignment", work.assignment_id)
    return render(
        request,
        "courses/submission.html",
        {
            "work": work,
            "task": work.assignment,
            "course": course,
            "form": form,
            "returned": work.status == SubmissionStatus.RETURNED,
            "has_lessons": bool(lessons),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def submission_file(request: HttpRequest, file_id: int) -> HttpResponseBase:
    viewer = _viewer(request)
    found = selectors.submission_file_for(viewer, file_id)
    if found is None:
        raise Http404
    course = found.submission.assignment.module.course
    own = viewer.own_student is not None and viewer.own_student.id == found.submission.student_id
    if not (own or request.user.has_perm("courses.manage_course", course)):
        raise Http404
    return _file_response(
        found.file,
        name=found.name,
        content_type=found.content_type,
        download=request.GET.get("download") == "1",
    )


# ------------------------------------------------------------------ progress


@login_required
@require_GET
def progress(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(request, course_id, "courses.manage_course")
    return render(
        request,
        "courses/progress.html",
        {"course": course, "rows": selectors.course_progress(course)},
    )


@login_required
@require_GET
def progress_xlsx(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(request, course_id, "courses.manage_course")
    rows = []
    for row in selectors.course_progress(course):
        s = row.student
        rows.append(
            [
                f"{s.last_name} {s.first_name}",
                s.current_class.name if s.current_class else "",
                f"{row.materials_opened} / {row.materials_total}",
                f"{row.submitted} / {row.assignments_total}",
                row.returned,
                row.late,
                " ".join(row.marks),
            ]
        )
    content = table_xlsx(
        sheet=course.title,
        title=[_("Прогресс по курсу «%(c)s»") % {"c": course.title}],
        header=[
            _("Обучающийся"),
            _("Класс"),
            _("Материалы открыты"),
            _("Задания сданы"),
            _("Проверено"),
            _("С опозданием"),
            _("Отметки"),
        ],
        rows=rows,
        widths=[30, 8, 18, 16, 12, 14, 14],
    )
    return exports.xlsx_response(
        content, exports.download_name(_("Прогресс"), course.title, extension="xlsx")
    )
