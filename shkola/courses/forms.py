from __future__ import annotations

from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from shkola.core import uploads
from shkola.core.fields import DateInput, IdModelChoiceField, MultipleFileField, column_field

from .models import Assignment, Course, Material, MaterialKind, Module, Submission
from .services import COURSE_MARKS

TEXT = {"class": "form-control"}


def _multi(label: Any, error: Any) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=Course.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": error, "invalid_pk_value": error, "invalid_list": error},
    )


class CourseForm(forms.Form):
    title = column_field(
        Course, "title", label=_("Название"),
        widget=forms.TextInput(attrs=TEXT),
        error_messages={"required": _("Название: заполните поле.")},
    )  # fmt: skip
    description = column_field(
        Course, "description", label=_("Описание"), required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 4}),
    )  # fmt: skip
    subject = IdModelChoiceField(
        label=_("Предмет"), queryset=Course.objects.none(), required=False,
        empty_label="—", widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("Нужен, чтобы ставить отметки за задания в журнал."),
        error_messages={"invalid_choice": _("Предмет: выберите из списка.")},
    )  # fmt: skip
    teachers = _multi(_("Учителя"), _("Учителя: выберите из списка."))
    class_units = _multi(_("Классы"), _("Классы: выберите из списка."))
    groups = _multi(_("Группы"), _("Группы: выберите из списка."))
    open_enrolment = forms.BooleanField(
        label=_("Открытая запись: ученики школы записываются сами"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    starts_on = forms.DateField(
        label=_("Начало"), required=False, widget=DateInput(attrs=TEXT),
        error_messages={"invalid": _("Начало: введите дату ДД.ММ.ГГГГ.")},
    )  # fmt: skip
    ends_on = forms.DateField(
        label=_("Окончание"), required=False, widget=DateInput(attrs=TEXT),
        error_messages={"invalid": _("Окончание: введите дату ДД.ММ.ГГГГ.")},
    )  # fmt: skip

    def __init__(self, *args: Any, choices: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if choices is None:
            return
        self.fields["subject"].queryset = choices["subjects"]  # type: ignore[attr-defined]
        self.fields["teachers"].queryset = choices["teachers"]  # type: ignore[attr-defined]
        self.fields["teachers"].label_from_instance = lambda u: u.full_name  # type: ignore[attr-defined]
        self.fields["class_units"].queryset = choices["classes"]  # type: ignore[attr-defined]
        self.fields["class_units"].label_from_instance = lambda c: c.name  # type: ignore[attr-defined]
        self.fields["groups"].queryset = choices["groups"]  # type: ignore[attr-defined]


class ModuleForm(forms.Form):
    title = column_field(
        Module, "title", label=_("Название модуля"), widget=forms.TextInput(attrs=TEXT),
        error_messages={"required": _("Название модуля: заполните поле.")},
    )  # fmt: skip


class MaterialForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["upload"].help_text = _(
            "Один файл до %(mb)s МБ: PDF, документы, таблицы, презентации, картинки, видео, аудио."
        ) % {"mb": uploads.max_file_bytes() // (1024 * 1024)}

    kind = forms.ChoiceField(
        label=_("Вид"), choices=MaterialKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Вид материала: выберите."), "invalid_choice": _("Вид материала: выберите текст, файл или ссылку.")},
    )  # fmt: skip
    title = column_field(
        Material, "title", label=_("Заголовок"), widget=forms.TextInput(attrs=TEXT),
        error_messages={"required": _("Заголовок: заполните поле.")},
    )  # fmt: skip
    text = column_field(
        Material, "body_html", label=_("Текст"), required=False, max_length=50_000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 8}),
        help_text=_(
            "Обычный текст или HTML: абзацы, списки, жирный и курсив, таблицы, ссылки. "
            "Скрипты и обработчики событий удаляются."
        ),
    )  # fmt: skip
    url = column_field(
        Material, "url", label=_("Ссылка"), required=False,
        widget=forms.URLInput(attrs={**TEXT, "placeholder": "https://"}),
    )  # fmt: skip
    upload = forms.FileField(
        label=_("Файл"), required=False,
        widget=forms.ClearableFileInput(attrs=TEXT),
    )  # fmt: skip


class AssignmentForm(forms.Form):
    title = column_field(
        Assignment, "title", label=_("Название задания"), widget=forms.TextInput(attrs=TEXT),
        error_messages={"required": _("Название задания: заполните поле.")},
    )  # fmt: skip
    instructions = column_field(
        Assignment, "instructions", label=_("Что сделать"),
        widget=forms.Textarea(attrs={**TEXT, "rows": 5}),
        error_messages={"required": _("Что сделать: опишите задание.")},
    )  # fmt: skip
    due_on = forms.DateField(
        label=_("Срок сдачи"), required=False, widget=DateInput(attrs=TEXT),
        help_text=_("После срока работу всё равно примут, с пометкой «сдано с опозданием»."),
        error_messages={"invalid": _("Срок сдачи: введите дату ДД.ММ.ГГГГ.")},
    )  # fmt: skip
    is_marked = forms.BooleanField(
        label=_("С отметкой в журнал"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class SubmissionForm(forms.Form):
    text = column_field(
        Submission, "text", label=_("Ответ"), required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 5}),
    )  # fmt: skip
    attachments = MultipleFileField(
        label=_("Файлы"), required=False,
        help_text=_("До 5 файлов. Новые файлы заменяют отправленные раньше."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].widget.attrs.update(TEXT)
        self.fields["attachments"].help_text = _(
            "До 5 файлов, каждый до %(mb)s МБ. Новые файлы заменяют отправленные раньше."
        ) % {"mb": uploads.max_file_bytes() // (1024 * 1024)}


class ReturnForm(forms.Form):
    feedback = column_field(
        Submission, "feedback", label=_("Отзыв"),
        widget=forms.Textarea(attrs={**TEXT, "rows": 4}),
        error_messages={"required": _("Отзыв: напишите, что получилось и что исправить.")},
    )  # fmt: skip
    mark = forms.ChoiceField(
        label=_("Отметка в журнал"), required=False,
        choices=[("", _("без отметки")), *((m, m) for m in COURSE_MARKS)],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Отметка: выберите из списка.")},
    )  # fmt: skip
    lesson = forms.TypedChoiceField(
        label=_("Урок"), required=False, coerce=int, empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Урок: выберите урок из списка.")},
    )  # fmt: skip
    control_form = forms.TypedChoiceField(
        label=_("Форма контроля"), required=False, coerce=int, empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("Нужна, если у урока её ещё нет."),
        error_messages={"invalid_choice": _("Форма контроля: выберите из списка.")},
    )  # fmt: skip

    def __init__(
        self,
        *args: Any,
        lessons: list[Any] | None = None,
        control_forms: list[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        lessons = lessons or []
        control_forms = control_forms or []
        super().__init__(*args, **kwargs)
        self.lessons = {lesson.id: lesson for lesson in lessons}
        self.control_forms = {cf.id: cf for cf in control_forms}
        self.fields["lesson"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *(
                (
                    lesson.id,
                    f"{formats.date_format(lesson.date, 'j E')}, {lesson.lesson_number} урок"
                    + (f" — {lesson.control_form.name}" if lesson.control_form else ""),
                )
                for lesson in lessons
            ),
        ]
        self.fields["control_form"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((cf.id, str(cf)) for cf in control_forms),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["lesson_object"] = self.lessons.get(data.get("lesson") or 0)
        data["control_form_object"] = self.control_forms.get(data.get("control_form") or 0)
        return data
