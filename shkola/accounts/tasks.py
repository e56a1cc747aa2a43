"""Letters. Enqueued on commit with ids only, so a retried task reads the saved state."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse


def public_url(path: str) -> str:
    return settings.SHKOLA["PUBLIC_URL"].rstrip("/") + path


@task
def send_email_confirmation(user_id: int) -> bool:
    """A5: the confirmation letter (HTML + text). Idempotent: confirmed users get nothing."""
    from .models import User
    from .services import email_confirmation_token

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or user.email_confirmed:
        return False
    token = email_confirmation_token(user=user)
    context = {
        "user": user,
        "link": public_url(reverse("accounts:email_confirm", args=[token])),
        "days": settings.SHKOLA["EMAIL_CONFIRM_DAYS"],
    }
    message = EmailMultiAlternatives(
        subject=render_to_string("accounts/email/confirm_subject.txt", context).strip(),
        body=render_to_string("accounts/email/confirm.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string("accounts/email/confirm.html", context), "text/html"
    )
    message.send()
    return True
