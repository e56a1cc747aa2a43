"""Letters. Enqueued on commit with ids only, so a retried task reads the saved state."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import TaskContext, task
from django.template.loader import render_to_string
from django.urls import reverse


def public_url(path: str) -> str:
    return settings.SHKOLA["PUBLIC_URL"].rstrip("/") + path


def task_message_id(kind: str, context: TaskContext) -> str:
    """One Message-ID for every try of one task: a letter sent again after its worker died
    between the mail server's «accepted» and the task's end is recognisable as the same."""
    host = urlsplit(settings.SHKOLA["PUBLIC_URL"]).hostname or "shkola.local"
    return f"<{kind}-{context.task_result.id}@{host}>"


@task(takes_context=True)
def send_email_confirmation(context: TaskContext, user_id: int) -> bool:
    """A5: the confirmation letter (HTML + text). Idempotent: confirmed users get nothing."""
    from .models import User
    from .services import email_confirmation_token

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or user.email_confirmed:
        return False
    token = email_confirmation_token(user=user)
    page = {
        "user": user,
        "link": public_url(reverse("accounts:email_confirm", args=[token])),
        "days": settings.SHKOLA["EMAIL_CONFIRM_DAYS"],
    }
    message = EmailMultiAlternatives(
        subject=render_to_string("accounts/email/confirm_subject.txt", page).strip(),
        body=render_to_string("accounts/email/confirm.txt", page),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Message-ID": task_message_id("confirm", context)},
    )
    message.attach_alternative(render_to_string("accounts/email/confirm.html", page), "text/html")
    message.send()
    return True
