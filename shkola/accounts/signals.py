"""Wiring only: auth and axes signals hand over to services, which decide what to record."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver

from .middleware import client_ip


def _ip(request: Any) -> str | None:
    return client_ip(request) if request is not None else None


@receiver(user_logged_in, dispatch_uid="shkola_accounts_logged_in")
def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from .services import user_login_recorded

    session = getattr(request, "session", None)
    if session is not None and not session.session_key:
        session.save()  # the key must exist before the session can be listed in «Доступ»
    user_login_recorded(
        user=user,
        session_key=session.session_key if session is not None else None,
        user_agent=request.META.get("HTTP_USER_AGENT", "") if request is not None else "",
        ip_address=_ip(request),
    )


@receiver(user_logged_out, dispatch_uid="shkola_accounts_logged_out")
def on_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from .services import user_logout_recorded

    session = getattr(request, "session", None)
    user_logout_recorded(
        user=user,
        session_key=session.session_key if session is not None else None,
        ip_address=_ip(request),
    )


@receiver(user_login_failed, dispatch_uid="shkola_accounts_login_failed")
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    from .services import user_login_failed_recorded

    if getattr(request, "axes_locked_out", False):
        # Refused by the lock before the password was checked: not a failure (the lock
        # is recorded as such), or a correct password would count against its owner.
        return
    user_login_failed_recorded(
        username=str(credentials.get("username") or ""), ip_address=_ip(request)
    )


def connect_axes() -> None:
    from axes.signals import user_locked_out

    @receiver(user_locked_out, dispatch_uid="shkola_accounts_locked_out")
    def on_locked_out(
        sender: Any,
        request: Any,
        username: str | None = None,
        ip_address: str | None = None,
        **kwargs: Any,
    ) -> None:
        from .services import lockout_recorded

        lockout_recorded(username=username or "", ip_address=ip_address or _ip(request))


def connect_people_cache() -> None:
    """A safety net under the services' own drops (who.py): whatever saves an account, a role
    or a row the Viewer or the year is read from (a service, the admin, a shell) outdates the
    cached copies. Bulk writes, ``update()`` and deletes send no signal: the services that use
    them drop explicitly. Deletes get no receiver on purpose: one would stop Django deleting
    rows by a single query."""
    from django.db.models.signals import post_save

    from shkola.schools.models import (
        AcademicYear,
        ClassUnit,
        Guardian,
        Guardianship,
        Organisation,
        Parallel,
        Student,
        Territory,
    )

    from . import who
    from .models import RoleAssignment, User

    def account_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
        who.people_cache_drop([instance.pk])

    def role_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
        who.people_cache_drop([instance.user_id])

    def shared_row_saved(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
        """A changed row may show in anyone's frame (a class's name in the parents' switcher):
        everyone is read again. A new row is nobody's yet, but for the people it names."""
        if not created or sender in (AcademicYear, Territory):
            who.people_cache_drop_all()
        elif sender is ClassUnit:
            who.people_cache_drop([instance.class_teacher_id])
        elif sender in (Student, Guardian):
            who.people_cache_drop([instance.user_id])
        elif sender is Guardianship:
            guardian = instance._state.fields_cache.get("guardian")
            if guardian is None:
                who.people_cache_drop_all()
            else:
                who.people_cache_drop([guardian.user_id])

    post_save.connect(account_saved, sender=User, weak=False, dispatch_uid="shkola_who_user")
    post_save.connect(role_saved, sender=RoleAssignment, weak=False, dispatch_uid="shkola_who_role")
    for model in (
        AcademicYear,
        ClassUnit,
        Guardian,
        Guardianship,
        Organisation,
        Parallel,
        Student,
        Territory,
    ):
        post_save.connect(
            shared_row_saved, sender=model, weak=False, dispatch_uid=f"shkola_who_{model.__name__}"
        )
