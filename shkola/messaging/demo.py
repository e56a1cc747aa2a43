"""Demo messages: a short conversation between the demo parent and their child's class
teacher, and one group message from the class teacher to the class's parents, so the demo
mailboxes are not empty."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from shkola.accounts.models import User
from shkola.core import clock
from shkola.schools.models import ClassUnit

from .models import Delivery, Message
from .services import deliveries_mark_read, message_reply, message_send


def _age(message: Message, hours: float) -> None:
    moment = clock.now() - dt.timedelta(hours=hours)
    Message.objects.filter(pk=message.pk).update(sent_at=moment, created_at=moment)


@transaction.atomic
def messages_demo_fill() -> int:
    """Returns the number of messages written (0 when the demo accounts are missing)."""
    users = {u.username: u for u in User.objects.filter(username__in=["parent", "classteacher"])}
    parent, teacher = users.get("parent"), users.get("classteacher")
    if parent is None or teacher is None:
        return 0
    class_unit = (
        ClassUnit.objects.filter(
            class_teacher=teacher,
            students__guardianships__guardian__user=parent,
            parallel__academic_year__is_current=True,
        )
        .select_related("parallel")
        .first()
    )
    if class_unit is None:
        return 0
    teacher.signature = teacher.signature or f"{teacher.full_name}, классный руководитель"
    teacher.save(update_fields=["signature"])
    meeting = message_send(
        sender=teacher,
        targets=[f"cp:{class_unit.pk}"],
        subject=f"Родительское собрание {class_unit.name}",
        body=(
            "Уважаемые родители!\n\nРодительское собрание состоится в четверг в 18:30 "
            "в кабинете 214. Повестка: итоги четверти, экскурсия, питание.\n"
            "Памятка: https://example.org/sobranie\n\n-- \n" + teacher.signature
        ),
        target_labels={f"cp:{class_unit.pk}": f"Все родители {class_unit.name}"},
    ).message
    _age(meeting, 50)
    question = message_send(
        sender=parent,
        targets=[f"u:{teacher.pk}"],
        subject="Пропуск в пятницу",
        body=(
            "Здравствуйте! В пятницу дочь будет на соревнованиях, пропустит уроки. "
            "Какие задания выполнить дома?"
        ),
    ).message
    _age(question, 26)
    deliveries_mark_read(user=teacher, message_ids=[question.pk])
    answer = message_reply(
        sender=teacher,
        message=question,
        body=(
            "Добрый день! Спасибо, что предупредили. Задания будут в дневнике, "
            "по алгебре — № 214–218.\n\n-- \n" + teacher.signature
        ),
    ).message
    _age(answer, 20)
    Delivery.objects.filter(message=meeting, recipient=parent).update(read_at=None)
    return 3
