from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from shkola.core.fields import column_field

from .models import User

WRONG_CREDENTIALS = _("Неверный логин или пароль")


def email_field() -> forms.CharField:
    """Optional e-mail, checked by the service (registration and profile alike)."""
    # A CharField limited to the column: the service checks the address and says what is wrong.
    return column_field(
        User,
        "email",
        form_class=forms.CharField,
        label=_("Электронная почта"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def phone_field() -> forms.CharField:
    return forms.CharField(
        label=_("Мобильный телефон"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


class LoginForm(AuthenticationForm):
    """A1: one message for a wrong login and for a wrong password."""

    username = forms.CharField(
        label=_("Логин"),
        max_length=150,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "username",
                "autocapitalize": "none",
            }
        ),
    )
    password = forms.CharField(
        label=_("Пароль"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    remember = forms.BooleanField(label=_("Запомнить меня"), required=False)

    error_messages = {
        "invalid_login": WRONG_CREDENTIALS,
        "inactive": WRONG_CREDENTIALS,
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None or not self.user_cache.is_active:
                raise forms.ValidationError(WRONG_CREDENTIALS, code="invalid_login")
            if getattr(self.user_cache, "is_demo", False) and not settings.DEMO_LOGINS_ENABLED:
                # Demo accounts share a published password: never usable outside DEBUG.
                raise forms.ValidationError(WRONG_CREDENTIALS, code="invalid_login")
        return self.cleaned_data


class BootstrapFormMixin:
    """Bootstrap classes on every widget, and ``is-invalid`` on the fields with errors."""

    def style_fields(self) -> None:
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            errors = getattr(self, "_errors", None)
            if errors and name in errors:
                css += " is-invalid"
            widget.attrs["class"] = css

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.style_fields()

    def add_error(self, field: Any, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        self.style_fields()


# --- registration and profile ------------------------------------------------------------

CODE_WIDGET = forms.TextInput(
    attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
)


def representative_choices() -> list[tuple[str, Any]]:
    from shkola.schools.models import RepresentativeKind

    return [("", _("— выберите —")), *RepresentativeKind.choices]


class CodeForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Пригласительный код"),
        max_length=40,
        widget=CODE_WIDGET,
        error_messages={"required": _("Введите пригласительный код.")},
    )


class RegistrationForm(BootstrapFormMixin, forms.Form):
    """A4. Only the shape of the input is checked here; the rules live in the service."""

    last_name = column_field(User, "last_name", label=_("Фамилия"), required=False)
    first_name = column_field(User, "first_name", label=_("Имя"), required=False)
    middle_name = column_field(User, "middle_name", label=_("Отчество"), required=False)
    representative_kind = forms.ChoiceField(
        label=_("Кем вы приходитесь ребёнку"),
        required=False,
        choices=representative_choices,
    )
    username = column_field(
        User,
        "username",
        label=_("Логин"),
        help_text=_("Не короче 6 символов: латинские буквы, цифры, точка, дефис, подчёркивание."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
        error_messages={"required": _("Придумайте логин.")},
    )
    password = forms.CharField(
        label=_("Пароль"),
        strip=False,
        help_text=_(
            "Не короче 8 символов; не совпадает с логином и датой рождения, не из списка простых паролей."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Придумайте пароль.")},
    )
    password2 = forms.CharField(
        label=_("Пароль ещё раз"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Повторите пароль.")},
    )
    email = email_field()
    phone = phone_field()
    child_codes = forms.CharField(
        label=_("Дети"),
        required=False,
        help_text=_(
            "Если в школе учатся ещё ваши дети — введите их коды для родителя, каждый с новой строки."
        ),
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off", "spellcheck": "false"}),
    )

    personal_data_consent = forms.BooleanField(
        label=_("Я прочитал(а) согласие на обработку персональных данных и даю его"),
        required=False,
    )

    def __init__(
        self, *args: Any, is_parent: bool = True, needs_consent: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.is_parent = is_parent
        if not needs_consent:
            del self.fields["personal_data_consent"]
        if not is_parent:
            for name in (
                "last_name",
                "first_name",
                "middle_name",
                "representative_kind",
                "child_codes",
            ):
                del self.fields[name]
            self.fields["email"].help_text = _(
                "Необязательно, но без почты не получится самому восстановить пароль."
            )
            self.fields["phone"].help_text = _("Необязательно.")
        # The service checks every rule and reports all problems at once, so the form
        # requires nothing itself; the asterisks only tell people what is needed.
        required = ["username", "password", "password2"]
        if needs_consent:
            required.append("personal_data_consent")
        if is_parent:
            required += [
                "last_name",
                "first_name",
                "representative_kind",
                "email",
                "phone",
            ]
        for name in required:
            self.fields[name].required = False
            self.fields[name].show_required = True  # type: ignore[attr-defined]

    def child_code_list(self) -> list[str]:
        raw = self.cleaned_data.get("child_codes") or ""
        return [c for c in raw.replace(",", "\n").replace(";", "\n").splitlines() if c.strip()]


class ChildAddForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Код для родителя"),
        max_length=40,
        widget=CODE_WIDGET,
        error_messages={"required": _("Введите пригласительный код.")},
    )
    representative_kind = forms.ChoiceField(
        label=_("Кем вы приходитесь ребёнку"),
        required=False,
        choices=representative_choices,
    )


class ProfileForm(BootstrapFormMixin, forms.Form):
    last_name = column_field(User, "last_name", label=_("Фамилия"))
    first_name = column_field(User, "first_name", label=_("Имя"))
    middle_name = column_field(User, "middle_name", label=_("Отчество"), required=False)
    birth_date = forms.DateField(
        label=_("Дата рождения"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Дата рождения: введите дату, например 17.05.1985.")},
    )
    email = email_field()
    phone = phone_field()
    signature = column_field(
        User,
        "signature",
        label=_("Подпись в сообщениях"),
        required=False,
        max_length=500,  # a text column: the limit is the form's own
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    show_phone = forms.BooleanField(
        label=_("Показывать телефон в списках «Учителя» и «Коллеги»"), required=False
    )
    show_email = forms.BooleanField(
        label=_("Показывать e-mail в списках «Учителя» и «Коллеги»"), required=False
    )

    def __init__(self, *args: Any, names_editable: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.names_editable = names_editable
        self.fields["last_name"].error_messages["required"] = _("Укажите фамилию.")
        self.fields["first_name"].error_messages["required"] = _("Укажите имя.")
        if not names_editable:
            for name in ("last_name", "first_name", "middle_name", "birth_date"):
                del self.fields[name]


class ConfirmedEmailPasswordResetForm(BootstrapFormMixin, PasswordResetForm):
    """A5/A6: only a confirmed address may receive a reset link; the page says the same
    thing whether or not the address is known."""

    email = column_field(
        User,
        "email",
        label=_("Электронная почта"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Введите адрес электронной почты."),
            "invalid": _("Адрес электронной почты указан неверно."),
        },
    )

    def get_users(self, email: str):  # type: ignore[no-untyped-def]
        return (u for u in super().get_users(email) if getattr(u, "email_confirmed", False))


# --- school administration ---------------------------------------------------------------


class MergeForm(BootstrapFormMixin, forms.Form):
    keep = forms.CharField(
        label=_("Оставить учётную запись (логин)"),
        max_length=150,
        error_messages={"required": _("Укажите логин учётной записи, которую нужно оставить.")},
    )
    remove = forms.CharField(
        label=_("Отключить учётную запись (логин)"),
        max_length=150,
        error_messages={"required": _("Укажите логин лишней учётной записи.")},
    )


class AuditFilterForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Событие"), required=False)
    q = forms.CharField(label=_("Логин, фамилия или IP"), required=False, max_length=100)
    date_from = forms.DateField(
        label=_("С"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Дата «с»: введите дату.")},
    )
    date_to = forms.DateField(
        label=_("По"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Дата «по»: введите дату.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .models import AuditEvent

        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            ("", _("Все события")),
            *AuditEvent.Kind.choices,
        ]
