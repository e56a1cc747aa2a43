"""What the open API answers with. Field descriptions are the OpenAPI document's text."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class ErrorOut(Schema):
    detail: str = Field(description="Что случилось, по-русски")


class FieldErrorOut(Schema):
    field: str = Field(description="Параметр запроса")
    message: str


class ValidationErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


class StudentOut(Schema):
    id: int
    name: str
    class_name: str = Field(description="Класс, например «7А»; пусто, если не зачислен")
    school: str


class MeOut(Schema):
    id: int
    name: str
    students: list[StudentOut] = Field(description="Чьи дневники можно читать: свой или детей")
    scopes: list[str] = Field(description="Разрешения, выданные приложению")


class FileOut(Schema):
    name: str
    size: int


class HomeworkItemOut(Schema):
    text: str
    files: list[FileOut]


class LessonMarkOut(Schema):
    value: str
    control_form: str
    note: str


class DiaryLessonOut(Schema):
    id: int
    date: dt.date
    number: int
    time: str
    subject: str
    teacher: str
    room: str
    topic: str
    marks: list[LessonMarkOut]
    attendance: str | None = Field(description="«н», «б», «у», «оп» или null")
    homework: list[HomeworkItemOut]
    test_form: str
    is_cancelled: bool
    is_substitution: bool


class DiaryDayOut(Schema):
    date: dt.date
    holiday: str | None
    lessons: list[DiaryLessonOut]


class DiaryWeekOut(Schema):
    student: StudentOut
    monday: dt.date
    sunday: dt.date
    days: list[DiaryDayOut]


class HomeworkOut(Schema):
    date: dt.date
    number: int
    subject: str
    text: str
    files: list[FileOut]


class HomeworkWeekOut(Schema):
    student: StudentOut
    monday: dt.date
    sunday: dt.date
    homework: list[HomeworkOut]


class PeriodOut(Schema):
    id: int
    name: str
    start: dt.date
    end: dt.date


class MarkOut(Schema):
    value: str
    date: dt.date
    control_form: str
    weight: int
    work_name: str
    comment: str


class ForecastRouteOut(Schema):
    count: int = Field(description="Сколько отметок")
    value: int = Field(description="Какая отметка: 5, 4, 3, 2")
    control_form: str = Field(description="Форма контроля («» — без формы)")
    weight: int


class ForecastLineOut(Schema):
    mark: int = Field(description="Отметка за период, о которой строка: 5, 4 или 3")
    kind: str = Field(
        description="reach — что нужно, чтобы выйти; keep — сколько отметок ниже можно "
        "получить и сохранить; safe — сохранится в любом случае; unreachable — уже не получить"
    )
    reason: str = Field(
        description="Для unreachable: ended, closed, lessons (не хватит уроков), scale"
    )
    lessons_left: int = Field(description="Уроков по предмету до конца периода")
    routes: list[ForecastRouteOut]
    text: str = Field(description="Та же строка по-русски, как в дневнике")


class SubjectMarksOut(Schema):
    subject: str
    marks: list[MarkOut]
    average: str | None = Field(description="Средневзвешенный балл, два знака: «4.50»")
    suggested: str | None = Field(description="Рекомендуемая отметка за период")
    forecast: list[ForecastLineOut] = Field(
        description="Что нужно для каждой отметки за период (пусто — прогноза нет)"
    )
    forecast_note: str = Field(description="«Отметок пока нет…», когда строк нет")


class ReportCardOut(Schema):
    student: StudentOut
    period: PeriodOut | None
    periods: list[PeriodOut]
    subjects: list[SubjectMarksOut]


class YearOut(Schema):
    id: int
    name: str


class FinalPeriodMarkOut(Schema):
    period: str
    value: str


class FinalRowOut(Schema):
    subject: str
    periods: list[FinalPeriodMarkOut]
    year: str
    exam: str
    final: str


class FinalMarksOut(Schema):
    student: StudentOut
    year: YearOut | None
    years: list[YearOut]
    subjects: list[FinalRowOut]


class TimetableLessonOut(Schema):
    number: int
    start: str = Field(description="Начало по звонкам, «08:30»; пусто, если звонков нет")
    end: str
    subject: str
    teacher: str
    room: str
    group: str


class TimetableDayOut(Schema):
    weekday: int = Field(description="1 — понедельник … 6 — суббота")
    name: str
    lessons: list[TimetableLessonOut]


class TimetableOut(Schema):
    student: StudentOut
    class_name: str
    days: list[TimetableDayOut]


class ClubOut(Schema):
    id: int
    name: str
    kind: str
    direction: str
    year: str
    organisation: str
    teacher: str


class AchievementOut(Schema):
    id: int
    category: str
    category_label: str
    name: str
    year: str
    level: str
    subject: str
    result: str
    status: str


class PortfolioOut(Schema):
    student: StudentOut
    clubs: list[ClubOut]
    achievements: list[AchievementOut]


class MessageBriefOut(Schema):
    id: int
    subject: str
    sender: str
    sent_at: dt.datetime
    is_read: bool
    has_attachments: bool


class InboxOut(Schema):
    page: int
    pages: int
    total: int
    messages: list[MessageBriefOut]


class MessageOut(Schema):
    id: int
    subject: str
    body: str
    sender: str
    recipients: str
    sent_at: dt.datetime


class AnnouncementOut(Schema):
    id: int
    title: str
    body: str
    school: str
    author: str
    valid_from: dt.date
    valid_to: dt.date
    pinned: bool
    is_read: bool
