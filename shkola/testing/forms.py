from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shkola.core.fields import column_field

from .models import AttemptQuestion, Question, QuestionKind, ReleaseMode, Test, TestItem

TEXTAREA = {"class": "form-control", "rows": 4}
INPUT = {"class": "form-control"}
CHECK = {"class": "form-check-input"}


def _lines_field(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=False, help_text=help_text, max_length=4000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 4}),
    )  # fmt: skip


class QuestionForm(forms.Form):
    subject = forms.TypedChoiceField(
        label=_("Предмет"), coerce=int, widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Предмет: выберите из списка."), "required": _("Предмет: выберите.")},
    )  # fmt: skip
    kind = forms.ChoiceField(
        label=_("Тип вопроса"), choices=QuestionKind.choices,
        widget=forms.Select(attrs={"class": "form-select", "data-question-kind": "1"}),
        error_messages={"invalid_choice": _("Тип вопроса: выберите из списка.")},
    )  # fmt: skip
    text = column_field(
        Question, "text", label=_("Текст вопроса"), max_length=4000,
        widget=forms.Textarea(attrs=TEXTAREA),
        error_messages={"required": _("Текст вопроса: заполните.")},
    )  # fmt: skip
    options = _lines_field(_("Варианты ответа"), _("Каждый вариант — с новой строки."))
    correct = forms.CharField(
        label=_("Номера правильных вариантов"), required=False, max_length=40,
        help_text=_("Например: 2 или 1, 3."), widget=forms.TextInput(attrs=INPUT),
    )  # fmt: skip
    accepted = _lines_field(
        _("Принимаемые ответы"),
        _("Каждый вариант — с новой строки; регистр, «ё» и лишние пробелы не важны."),
    )
    value = forms.CharField(
        label=_("Правильное число"), required=False, max_length=40,
        widget=forms.TextInput(attrs={**INPUT, "inputmode": "decimal"}),
    )  # fmt: skip
    tolerance = forms.CharField(
        label=_("Допуск ±"), required=False, max_length=40,
        widget=forms.TextInput(attrs={**INPUT, "inputmode": "decimal"}),
    )  # fmt: skip
    left = _lines_field(_("Левый столбец"), _("Каждый элемент — с новой строки."))
    right = _lines_field(
        _("Правый столбец"), _("В том же порядке: первой строке слева — первая справа.")
    )
    items = _lines_field(_("Элементы в правильном порядке"), _("Каждый — с новой строки."))
    points = forms.IntegerField(
        label=_("Баллы"), min_value=1, max_value=100, initial=1,
        widget=forms.NumberInput(attrs=INPUT),
        error_messages={"invalid": _("Баллы: целое число."), "min_value": _("Баллы: от 1 до 100."), "max_value": _("Баллы: от 1 до 100.")},
    )  # fmt: skip
    topic = column_field(
        Question, "topic", label=_("Тема"), required=False, widget=forms.TextInput(attrs=INPUT)
    )
    kes_codes = column_field(
        Question, "kes_codes", label=_("КЭС"), required=False,
        help_text=_("Коды элементов содержания через запятую, например 1.2.3"),
        widget=forms.TextInput(attrs=INPUT),
    )  # fmt: skip
    kt_codes = column_field(
        Question, "kt_codes", label=_("КТ"), required=False,
        help_text=_("Коды требований (проверяемых умений) через запятую"),
        widget=forms.TextInput(attrs=INPUT),
    )  # fmt: skip
    shared = forms.BooleanField(
        label=_("Доступен коллегам школы"), required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )
    image = forms.FileField(
        label=_("Картинка"), required=False, help_text=_("JPEG, PNG, GIF или WEBP."),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": "image/*"}),
    )  # fmt: skip
    remove_image = forms.BooleanField(
        label=_("Убрать картинку"), required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )

    def __init__(self, *args: Any, subjects: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [(s.id, s.name) for s in subjects or []]  # type: ignore[attr-defined]


class TestSettingsForm(forms.Form):
    subject = forms.TypedChoiceField(
        label=_("Предмет"), coerce=int, widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Предмет: выберите из списка.")},
    )  # fmt: skip
    title = column_field(Test, "title", label=_("Тема теста"), widget=forms.TextInput(attrs=INPUT))
    description = column_field(
        Test, "description", label=_("Пояснение для учеников"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )  # fmt: skip
    opens_at = forms.DateTimeField(
        label=_("Открывается"),
        widget=forms.DateTimeInput(attrs={**INPUT, "type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Открывается: дата и время."), "required": _("Открывается: укажите дату и время.")},
    )  # fmt: skip
    closes_at = forms.DateTimeField(
        label=_("Закрывается"),
        widget=forms.DateTimeInput(attrs={**INPUT, "type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Закрывается: дата и время."), "required": _("Закрывается: укажите дату и время.")},
    )  # fmt: skip
    time_limit_minutes = forms.IntegerField(
        label=_("Время на попытку, мин"), required=False, min_value=1, max_value=600,
        help_text=_("Пусто — без ограничения (до закрытия теста)."),
        widget=forms.NumberInput(attrs=INPUT),
    )  # fmt: skip
    attempts_allowed = forms.IntegerField(
        label=_("Попыток"),
        min_value=1,
        max_value=10,
        initial=1,
        widget=forms.NumberInput(attrs=INPUT),
    )
    shuffle_questions = forms.BooleanField(
        label=_("Перемешивать вопросы"), required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )
    shuffle_options = forms.BooleanField(
        label=_("Перемешивать варианты ответа"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs=CHECK),
    )
    class_units = forms.TypedMultipleChoiceField(
        label=_("Классы"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple(attrs=CHECK),
        error_messages={"invalid_choice": _("Классы: выберите из списка.")},
    )  # fmt: skip
    groups = forms.TypedMultipleChoiceField(
        label=_("Группы"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple(attrs=CHECK),
        error_messages={"invalid_choice": _("Группы: выберите из списка.")},
    )  # fmt: skip
    mark5_percent = forms.IntegerField(
        label=_("«5» от, %"),
        min_value=1,
        max_value=100,
        initial=85,
        widget=forms.NumberInput(attrs=INPUT),
    )
    mark4_percent = forms.IntegerField(
        label=_("«4» от, %"),
        min_value=1,
        max_value=100,
        initial=65,
        widget=forms.NumberInput(attrs=INPUT),
    )
    mark3_percent = forms.IntegerField(
        label=_("«3» от, %"),
        min_value=1,
        max_value=100,
        initial=45,
        widget=forms.NumberInput(attrs=INPUT),
    )
    release_mode = forms.ChoiceField(
        label=_("Ответы и решения показать ученикам"), choices=ReleaseMode.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )  # fmt: skip

    def __init__(
        self,
        *args: Any,
        subjects: list[Any] | None = None,
        classes: list[Any] | None = None,
        groups: list[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [(s.id, s.name) for s in subjects or []]  # type: ignore[attr-defined]
        self.fields["class_units"].choices = [(c.id, c.name) for c in classes or []]  # type: ignore[attr-defined]
        self.fields["groups"].choices = [(g.id, g.name) for g in groups or []]  # type: ignore[attr-defined]
        if not groups:
            del self.fields["groups"]


class DrawForm(forms.Form):
    draw_count = forms.IntegerField(
        label=_("Сколько вопросов"), min_value=1, max_value=30, initial=1,
        widget=forms.NumberInput(attrs=INPUT),
        error_messages={"invalid": _("Сколько вопросов: целое число."), "min_value": _("Сколько вопросов: от 1 до 30."), "max_value": _("Сколько вопросов: от 1 до 30.")},
    )  # fmt: skip
    draw_topic = column_field(
        TestItem, "draw_topic", label=_("Тема (пусто — любая)"), required=False,
        widget=forms.TextInput(attrs=INPUT),
    )  # fmt: skip
    draw_kes = column_field(
        TestItem, "draw_kes", label=_("КЭС (пусто — любой)"), required=False,
        widget=forms.TextInput(attrs=INPUT),
    )  # fmt: skip


class GradeForm(forms.Form):
    score = forms.DecimalField(
        label=_("Баллы"), min_value=0, max_digits=6, decimal_places=2,
        widget=forms.NumberInput(attrs={**INPUT, "step": "0.5", "inputmode": "decimal"}),
        error_messages={"invalid": _("Баллы: число."), "required": _("Баллы: укажите."), "min_value": _("Баллы: не меньше 0.")},
    )  # fmt: skip
    feedback = column_field(
        AttemptQuestion, "feedback", label=_("Комментарий"), required=False,
        widget=forms.TextInput(attrs=INPUT),
    )  # fmt: skip


class JournalForm(forms.Form):
    lesson = forms.TypedChoiceField(
        label=_("Урок"), coerce=int, widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Урок: выберите из списка."), "required": _("Урок: выберите.")},
    )  # fmt: skip
    control_form = forms.TypedChoiceField(
        label=_("Форма контроля"), coerce=int, required=False, empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Форма контроля: выберите из списка.")},
    )  # fmt: skip

    to_portfolio = forms.BooleanField(
        label=_("И добавить результат в портфолио «Тестирование»"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs=CHECK),
    )

    def __init__(
        self, *args: Any, lessons: list[Any] | None = None, forms_: list[Any] | None = None,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["lesson"].choices = [  # type: ignore[attr-defined]
            (
                lesson.id,
                f"{lesson.date:%d.%m.%Y}, {lesson.lesson_number} урок"
                + (f" — {lesson.control_form.name}" if lesson.control_form_id else ""),
            )
            for lesson in lessons or []
        ]
        self.fields["control_form"].choices = [("", _("как у урока"))] + [  # type: ignore[attr-defined]
            (f.id, str(f)) for f in forms_ or []
        ]
