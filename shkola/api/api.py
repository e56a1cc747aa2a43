"""The open API, version 1 (I2, X4): read-only, django-ninja, behind OAuth 2.0 bearer tokens.

Every endpoint asks the same ``rules`` permission and calls the same selector as its page
(diary, portfolio, messaging, announcements), so the API can never show more than the site:
another family's or school's student is a 404, as on the pages. Errors are JSON with Russian
text: 401, 403 (scope), 404, 422 (naming the parameter), 429 (with ``Retry-After``)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Path, Query
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import DocsBase
from ninja.renderers import JSONRenderer

from shkola.accounts import services as account_services
from shkola.core import clock
from shkola.core import params as core_params
from shkola.diary import selectors as diary_selectors
from shkola.portfolio import selectors as portfolio_selectors
from shkola.portfolio.models import Category
from shkola.schools.models import Student

from . import errors, selectors
from . import schemas as s
from .auth import OAuthBearer, RateLimited, ScopeMissing

logger = logging.getLogger(__name__)
MAX_ID = core_params.MAX_ID

StudentId = Annotated[
    int, Path(description="Ученик (id из /me)", ge=1, le=core_params.MAX_ID)
]  # fmt: skip
ObjectId = Annotated[int, Path(description="Идентификатор", ge=1, le=core_params.MAX_ID)]


class ShkolaSwagger(DocsBase):
    """Swagger UI from the files ninja bundles, served from 'self' with the page's CSP nonce:
    the system is closed, no CDN."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        import json

        config = {
            "url": self.get_openapi_url(api, kwargs),
            "layout": "BaseLayout",
            "deepLinking": True,
            "validatorUrl": None,
            "persistAuthorization": False,
        }
        return render(
            request, "api/docs.html", {"api": api, "swagger_settings": json.dumps(config)}
        )


class RussianJSONRenderer(JSONRenderer):
    """Cyrillic as is, not \\u escapes: the messages are read by people too."""

    json_dumps_params = {"ensure_ascii": False}  # noqa: RUF012


ERRORS = {
    401: s.ErrorOut,
    403: s.ErrorOut,
    404: s.ErrorOut,
    422: s.ValidationErrorOut,
    429: s.ErrorOut,
}

api = NinjaAPI(
    title="Shkola API",
    version="1",
    description=(
        "Открытый API школьного портала: только чтение. Доступ по OAuth 2.0 "
        "(код авторизации с PKCE, /oauth/authorize/ и /oauth/token/); каждое разрешение "
        "(scope) открывает свой раздел. Те же правила, что на страницах: родитель видит "
        "только своих детей, ученик — только себя."
    ),
    urls_namespace="api",
    renderer=RussianJSONRenderer(),
    docs=ShkolaSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


# --------------------------------------------------------------------------- errors


def _json(request: HttpRequest, status: int, detail: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = _json(
        request,
        401,
        _(
            "Нужен действующий токен доступа: заголовок «Authorization: Bearer …». "
            "Токен мог истечь или быть отозван — войдите в приложение заново."
        ),
    )
    response["WWW-Authenticate"] = 'Bearer realm="shkola"'
    return response


@api.exception_handler(ScopeMissing)
def _forbidden(request: HttpRequest, exc: ScopeMissing) -> HttpResponse:
    response = _json(
        request,
        403,
        _("Нет доступа: приложению не выдано разрешение «%(scope)s» (%(description)s).")
        % {"scope": exc.scope, "description": exc.description},
    )
    response["WWW-Authenticate"] = f'Bearer error="insufficient_scope", scope="{exc.scope}"'
    return response


@api.exception_handler(RateLimited)
def _too_many(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = _json(
        request,
        429,
        _("Слишком много запросов: не больше %(rate)s. Повторите через %(n)s с.")
        % {"rate": settings.API_RATE_LIMIT, "n": exc.retry_after},
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _json(request, 404, str(exc.args[0]) if exc.args else _("Не найдено."))


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    field_errors = errors.russian(exc.errors)
    return _json(
        request,
        422,
        " ".join(f"{e['field']}: {e['message']}" for e in field_errors)
        or _("Неверные параметры запроса."),
        errors=field_errors,
    )


# --------------------------------------------------------------------------- helpers


def _diary_student(request: HttpRequest, student_id: int, what: str) -> Student:
    """The diary pages' rule (``diary.view_diary``): the family, the class teacher and the
    school's administration; staff reading it is logged as on the pages."""
    student = (
        Student.objects.select_related("current_class__parallel", "organisation")
        .filter(pk=student_id)
        .first()
    )
    if student is None or not request.user.has_perm("diary.view_diary", student):
        raise Http404(_("Ученик не найден."))
    account_services.personal_data_viewed(
        request=request, student=student, what=_("API, дневник: %(page)s") % {"page": what}
    )
    return student


def _period_choice(student: Student, period: int | None, year: int | None) -> Any:
    choice = diary_selectors.periods_for(
        student,
        str(period) if period else None,
        clock.today(),
        wanted_year=str(year) if year else None,
    )
    if period and (choice.current is None or choice.current.id != period):
        raise Http404(_("period: у ученика нет такого аттестационного периода."))
    return choice


def _week_start(week: dt.date | None) -> dt.date:
    if week is None:
        return diary_selectors.monday_of(clock.today())
    if not core_params.MIN_DATE <= week <= core_params.MAX_DATE:
        # a date the diary cannot hold is «no such week», as on the pages (shkola.core.params)
        raise Http404(
            _("week: такой недели в дневнике нет, дата должна быть между %(min)s и %(max)s.")
            % {"min": core_params.MIN_DATE.isoformat(), "max": core_params.MAX_DATE.isoformat()}
        )
    return diary_selectors.monday_of(week)


# --------------------------------------------------------------------------- endpoints


def endpoint(path: str, out: Any, *, scope: str | None, name: str, summary: str, tag: str) -> Any:
    """A read-only endpoint: its 200 schema, the Russian error bodies, the scope it needs."""
    return api.get(
        path,
        response={200: out, **ERRORS},
        auth=OAuthBearer(scope),
        url_name=name,
        summary=summary,
        tags=[tag],
    )


@endpoint(
    "/me", s.MeOut, scope=None, name="me", summary="Кто я и чьи дневники доступны", tag="Профиль"
)
def me(request: HttpRequest) -> Any:
    viewer = request._shkola_viewer  # type: ignore[attr-defined]
    return selectors.me(viewer, request.oauth_token)  # type: ignore[attr-defined]


@endpoint(
    "/students/{student_id}/diary",
    s.DiaryWeekOut,
    scope="diary",
    name="diary_week",
    summary="Дневник на неделю",
    tag="Дневник",
)
def diary_week(
    request: HttpRequest,
    student_id: StudentId,
    week: Annotated[dt.date | None, Query(description="Любой день недели, ГГГГ-ММ-ДД")] = None,
) -> Any:
    monday = _week_start(week)
    student = _diary_student(request, student_id, _("неделя"))
    data = diary_selectors.diary_week(student, monday, clock.today())
    return selectors.diary_week_out(student, data)


@endpoint(
    "/students/{student_id}/homework",
    s.HomeworkWeekOut,
    scope="homework",
    name="homework",
    summary="Домашние задания недели",
    tag="Дневник",
)
def homework(
    request: HttpRequest,
    student_id: StudentId,
    week: Annotated[dt.date | None, Query(description="Любой день недели, ГГГГ-ММ-ДД")] = None,
) -> Any:
    monday = _week_start(week)
    student = _diary_student(request, student_id, _("домашние задания"))
    data = diary_selectors.diary_week(student, monday, clock.today())
    return selectors.homework_out(student, data)


@endpoint(
    "/students/{student_id}/report-card",
    s.ReportCardOut,
    scope="marks",
    name="report_card",
    summary="Табель: отметки и средние баллы за период",
    tag="Отметки",
)
def report_card(
    request: HttpRequest,
    student_id: StudentId,
    period: Annotated[
        int | None,
        Query(description="Аттестационный период; по умолчанию текущий", ge=1, le=MAX_ID),
    ] = None,
    year: Annotated[int | None, Query(description="Прошлый учебный год", ge=1, le=MAX_ID)] = None,
) -> Any:
    student = _diary_student(request, student_id, _("табель"))
    choice = _period_choice(student, period, year)
    rows = (
        diary_selectors.report_card(student, choice.current, today=clock.today())
        if choice.current
        else []
    )
    return selectors.report_card_out(student, choice, rows)


@endpoint(
    "/students/{student_id}/final-marks",
    s.FinalMarksOut,
    scope="marks",
    name="final_marks",
    summary="Итоговые отметки за год",
    tag="Отметки",
)
def final_marks(
    request: HttpRequest,
    student_id: StudentId,
    year: Annotated[
        int | None, Query(description="Учебный год; по умолчанию текущий", ge=1, le=MAX_ID)
    ] = None,
) -> Any:
    student = _diary_student(request, student_id, _("итоговые отметки"))
    data = diary_selectors.final_marks(student, str(year) if year else None)
    if year and (data.year is None or data.year.id != year):
        raise Http404(_("year: у ученика нет такого учебного года."))
    return selectors.final_marks_out(student, data)


@endpoint(
    "/students/{student_id}/timetable",
    s.TimetableOut,
    scope="timetable",
    name="timetable",
    summary="Расписание класса ученика",
    tag="Расписание",
)
def timetable(request: HttpRequest, student_id: StudentId) -> Any:
    student = _diary_student(request, student_id, _("расписание"))
    grid = diary_selectors.timetable_grid(student, None)
    return selectors.timetable_out(student, grid)


@endpoint(
    "/students/{student_id}/portfolio",
    s.PortfolioOut,
    scope="portfolio",
    name="portfolio",
    summary="Портфолио: кружки и достижения",
    tag="Портфолио",
)
def portfolio(
    request: HttpRequest,
    student_id: StudentId,
    category: Annotated[Category | None, Query(description="Раздел достижений")] = None,
) -> Any:
    # The portfolio pages' rule (``portfolio.view``) and lookup.
    student = portfolio_selectors.student_for(request.user, student_id)
    account_services.personal_data_viewed(
        request=request, student=student, what=_("API, портфолио")
    )
    categories = [category.value] if category else [c.value for c in Category]
    return selectors.portfolio_out(
        student,
        portfolio_selectors.clubs_of(student),
        portfolio_selectors.achievements_of(student, categories),
    )


@endpoint(
    "/messages",
    s.InboxOut,
    scope="messages",
    name="inbox",
    summary="Входящие сообщения",
    tag="Сообщения",
)
def inbox(
    request: HttpRequest,
    page: Annotated[int, Query(description="Страница, по 20 писем", ge=1, le=1_000_000)] = 1,
) -> Any:
    return selectors.inbox_out(request.user, page)


@endpoint(
    "/messages/{message_id}",
    s.MessageOut,
    scope="messages",
    name="message",
    summary="Одно сообщение (прочитанным не отмечается)",
    tag="Сообщения",
)
def message(request: HttpRequest, message_id: ObjectId) -> Any:
    return selectors.message_out(request.user, message_id)


@endpoint(
    "/announcements",
    list[s.AnnouncementOut],
    scope="announcements",
    name="announcements",
    summary="Действующие объявления",
    tag="Объявления",
)
def announcements(request: HttpRequest) -> Any:
    return selectors.announcements_out(request._shkola_viewer)  # type: ignore[attr-defined]
