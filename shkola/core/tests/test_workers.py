"""Workers side by side (shkola.core.workers, ``manage.py worker``): a task is never run by two
of them, and a worker killed in the middle of a task leaves it to be retried, never half-done.

The first tests are the recovery rules on the database alone. The rest start real
``manage.py worker`` processes on the test database with the database task backend
(SHKOLA_TEST_TASKS_DB=1) and a real SMTP server (aiosmtpd) in this process; they need a
database that other processes can open, so they run on PostgreSQL (CI's second pass) and
skip on SQLite, whose test database lives in this process's memory. Every wait polls a
condition with a generous deadline; the letters and locks that hold a worker inside a task
are released by the test, never by a timer."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.db.models import Value
from django.db.models.functions import Now
from django.tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from shkola.core.models import TaskWorker
from shkola.core.workers import workers_recover

ROOT = Path(__file__).resolve().parents[3]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DEADLINE = 90.0  # seconds; a loaded two-core machine starts a Django process in ~5


def wait_for(condition: Callable[[], Any], what: str, deadline: float = DEADLINE) -> Any:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"waited {deadline:g} s for {what}")


# --- the recovery rules -------------------------------------------------------------------


def _claimed(settings: Any, *worker_ids: str) -> DBTaskResult:
    """A letter task claimed once by each of ``worker_ids``, the last one running it now."""
    from shkola.notifications.tasks import send_letter

    settings.TASKS = DATABASE_TASKS
    result = send_letter.enqueue(10**9)
    row = DBTaskResult.objects.get(pk=result.id)
    for worker_id in worker_ids:
        row.claim(worker_id)
    return row


def _seen(worker_id: str, seconds_ago: float) -> None:
    TaskWorker.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": "app1", "pid": 1, "started_at": Now(), "last_seen": Now()},
    )
    TaskWorker.objects.filter(pk=worker_id).update(
        last_seen=Now() - Value(dt.timedelta(seconds=seconds_ago))
    )


@pytest.mark.django_db
def test_a_dead_workers_task_goes_back_to_the_queue_and_a_live_ones_stays(settings, caplog):
    # Given two running tasks: one of a worker seen 2 minutes ago, one of a worker seen now
    _seen("dead", 120)
    _seen("alive", 0)
    orphan = _claimed(settings, "dead")
    busy = _claimed(settings, "alive")
    # When a worker looks for dead workers' tasks (stale after 60 s)
    with caplog.at_level(logging.WARNING, logger="shkola.core.workers"):
        found = workers_recover(stale_seconds=60, max_attempts=5)
    # Then the dead worker's task is ready for another worker, its attempt remembered
    assert found.requeued == [str(orphan.pk)] and found.failed == []
    orphan.refresh_from_db()
    assert orphan.status == TaskResultStatus.READY and orphan.worker_ids == ["dead"]
    assert "worker dead not seen for 60 s; back in the queue after attempt 1 of 5" in caplog.text
    # and the live worker's task is left alone, as is the live worker
    busy.refresh_from_db()
    assert busy.status == TaskResultStatus.RUNNING
    assert list(TaskWorker.objects.values_list("worker_id", flat=True)) == ["alive"]
    # And a second look changes nothing (two workers recovering at once change it once)
    assert workers_recover(stale_seconds=60, max_attempts=5).requeued == []


@pytest.mark.django_db
def test_a_task_that_kills_its_worker_every_time_is_given_up(settings):
    # Given a task whose fifth worker has died too
    for worker_id in ("w1", "w2", "w3", "w4", "w5"):
        _seen(worker_id, 600)
    poison = _claimed(settings, "w1", "w2", "w3", "w4", "w5")
    # When it is found
    found = workers_recover(stale_seconds=60, max_attempts=5)
    # Then it fails, saying why, instead of killing a sixth worker
    assert found.failed == [str(poison.pk)]
    poison.refresh_from_db()
    assert poison.status == TaskResultStatus.FAILED
    assert poison.exception_class_path == "shkola.core.workers.WorkerLost"
    assert "attempt 5 of 5" in poison.traceback


@pytest.mark.django_db
def test_a_task_of_a_worker_without_heartbeat_is_taken_back_when_a_worker_starts(settings):
    # Given tasks running under a worker that never wrote a heartbeat (a plain db_worker
    # that died), one started long ago and one just now
    old = _claimed(settings, "plain-db-worker")
    DBTaskResult.objects.filter(pk=old.pk).update(
        started_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    )
    recent = _claimed(settings, "plain-db-worker")
    # Then the periodic look leaves them (nobody is known to be dead) …
    assert workers_recover(stale_seconds=60).requeued == []
    # … and a starting worker takes back the one older than the stale time
    assert workers_recover(stale_seconds=60, orphans=True).requeued == [str(old.pk)]
    recent.refresh_from_db()
    assert recent.status == TaskResultStatus.RUNNING


# --- real worker processes ----------------------------------------------------------------


class Mailbox:
    """aiosmtpd's handler. ``hold`` keeps the first letter's session waiting, at its DATA or
    at its QUIT, until the test releases it. The letter held at DATA is then refused (its
    sender was killed first), accepted, or was kept as it arrived (``keep``: the server took
    it, its «250» was still to go out when the sender died). ``pair`` keeps the first letter
    until a second one is being sent at the same time."""

    def __init__(self, hold: str = "", then: str = "refuse", pair: bool = False) -> None:
        self.messages: list[EmailMessage] = []
        self.hold, self.then, self.pair = hold, then, pair
        self.entered = threading.Event()
        self.released = threading.Event()
        self._in_data = 0
        self._paired = threading.Event()

    async def _until(self, event: threading.Event) -> None:
        end = time.monotonic() + DEADLINE
        while not event.is_set() and time.monotonic() < end:
            await asyncio.sleep(0.02)

    def _keep(self, envelope: Any) -> None:
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[arg-type]
        )

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.hold == "data" and not self.entered.is_set():
            if self.then == "keep":  # accepted and queued; the answer is yet to go out
                self._keep(envelope)
            self.entered.set()
            await self._until(self.released)
            if self.then == "refuse":
                return "451 4.3.0 Try again later"
            if self.then == "keep":
                return "250 OK"
        elif self.pair and not self._paired.is_set():
            self._in_data += 1
            if self._in_data >= 2:
                self._paired.set()
            else:
                await self._until(self._paired)
        self._keep(envelope)
        return "250 OK"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.hold == "quit" and self.messages and not self.entered.is_set():
            self.entered.set()
            await self._until(self.released)
        return "221 Bye"


@pytest.fixture
def start_smtp() -> Iterator[Callable[..., tuple[Mailbox, int]]]:
    from aiosmtpd.controller import Controller

    controllers: list[Any] = []

    def start(**options: Any) -> tuple[Mailbox, int]:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        mailbox = Mailbox(**options)
        controller = Controller(mailbox, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        return mailbox, port

    try:
        yield start
    finally:
        for controller in controllers:
            controller.stop()


@dataclass
class WorkerProcess:
    worker_id: str
    process: subprocess.Popen[bytes]
    log: Path
    killed: bool = field(default=False)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def _database_url() -> str:
    db = connection.settings_dict
    user = quote(str(db.get("USER") or "postgres"))
    password = f":{quote(str(db['PASSWORD']))}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def start_worker(
    transactional_db: Any, settings: Any, tmp_path: Path
) -> Iterator[Callable[..., WorkerProcess]]:
    """Starts ``manage.py worker`` processes on this test's database; kills every one of them
    before the database is emptied, also when the test failed."""
    if connection.vendor != "postgresql":
        pytest.skip("worker processes need a database they can open: PostgreSQL, not SQLite")
    settings.TASKS = DATABASE_TASKS
    started: list[WorkerProcess] = []

    def start(
        name: str, smtp_port: int, stale: float = 60, heartbeat: float = 0.5
    ) -> WorkerProcess:
        worker_id = f"{name}-{uuid.uuid4().hex[:8]}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SHKOLA_TESTING": "1",
            "SHKOLA_TEST_TASKS_DB": "1",
            "DATABASE_URL": _database_url(),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "WORKER_STALE_SECONDS": str(stale),
            "WORKER_HEARTBEAT_SECONDS": str(heartbeat),
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("SHKOLA_TEST_REDIS", None)
        log = tmp_path / f"{worker_id}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "manage.py", "worker", "--no-reload", "--no-startup-delay"]
                # the system checks (every URL and view imported) double a worker's start
                + ["--skip-checks", "--interval", "0.2", "--worker-id", worker_id],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        worker = WorkerProcess(worker_id, process, log)
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            if worker.process.poll() is None:
                worker.process.kill()
        for worker in started:
            worker.process.wait(timeout=60)


def ready(*workers: WorkerProcess) -> None:
    """Wait until each worker has written its heartbeat (it claims nothing before)."""
    for worker in workers:

        def beating(worker: WorkerProcess = worker) -> bool:
            if worker.process.poll() is not None:
                raise AssertionError(f"worker {worker.worker_id} exited:\n{worker.output()}")
            return TaskWorker.objects.filter(pk=worker.worker_id).exists()

        wait_for(beating, f"worker {worker.worker_id} to start")


def kill(worker: WorkerProcess) -> None:
    worker.process.send_signal(signal.SIGKILL)
    worker.process.wait(timeout=30)
    worker.killed = True


def tasks_of(path_end: str) -> list[DBTaskResult]:
    return [t for t in DBTaskResult.objects.all() if t.task_path.endswith(path_end)]


def finished(path_end: str, count: int) -> Callable[[], bool]:
    def check() -> bool:
        done = [
            t
            for t in tasks_of(path_end)
            if t.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
        ]
        return len(done) >= count

    return check


def people_with_mail(n: int) -> list[Any]:
    from shkola.core.testing.factories import UserFactory

    return [
        UserFactory(email=f"worker-test-{i}@example.org", email_confirmed=True) for i in range(n)
    ]


def letters_to(people: list[Any]) -> list[int]:
    """An immediate letter to each (a decided absence note), enqueued on commit."""
    from shkola.notifications import services
    from shkola.notifications.models import Outbox

    services.notify(
        kind="absence_note",
        user_ids=[p.pk for p in people],
        title="Записка принята",
        url="/diary/",
    )
    return list(Outbox.objects.order_by("pk").values_list("pk", flat=True))


def test_two_workers_send_many_letters_each_once(start_worker, start_smtp):
    from shkola.notifications.models import Outbox, OutboxStatus

    # Given two workers and a mail server that holds the first letter until a second is
    # being sent at the same time (so both workers are working side by side)
    mailbox, port = start_smtp(pair=True)
    first, second = start_worker("a", port), start_worker("b", port)
    ready(first, second)
    # When 40 letters are enqueued at once
    people = people_with_mail(40)
    outbox_ids = letters_to(people)
    assert len(outbox_ids) == 40
    # Then every task ends, each run by one worker once, and both workers took some
    wait_for(finished("send_letter", 40), "40 letters to be sent")
    tasks = tasks_of("send_letter")
    assert len(tasks) == 40
    assert {t.status for t in tasks} == {TaskResultStatus.SUCCESSFUL}
    assert all(len(t.worker_ids) == 1 for t in tasks)
    assert {t.worker_ids[0] for t in tasks} == {first.worker_id, second.worker_id}
    # And every letter arrived exactly once, with its outbox row's Message-ID
    recipients = [str(m["To"]) for m in mailbox.messages]
    assert sorted(recipients) == sorted(p.email for p in people)
    assert sorted(str(m["Message-ID"]) for m in mailbox.messages) == sorted(
        f"<outbox-{pk}@127.0.0.1>" for pk in outbox_ids
    )
    assert set(Outbox.objects.values_list("status", "attempts")) == {(OutboxStatus.SENT, 1)}


def _claimed_by(workers: tuple[WorkerProcess, ...]) -> tuple[WorkerProcess, WorkerProcess]:
    """The worker running the only letter task, and the other one."""
    [task] = tasks_of("send_letter")
    assert task.status == TaskResultStatus.RUNNING and len(task.worker_ids) == 1
    [victim] = [w for w in workers if w.worker_id == task.worker_ids[0]]
    [other] = [w for w in workers if w is not victim]
    return victim, other


def test_a_worker_killed_while_sending_leaves_the_letter_to_another_worker(
    start_worker, start_smtp
):
    from shkola.notifications.models import Outbox, OutboxStatus

    # Given two workers, one of them inside the sending of a letter the mail server has not
    # accepted yet
    mailbox, port = start_smtp(hold="data", then="refuse")
    workers = start_worker("a", port, stale=3), start_worker("b", port, stale=3)
    ready(*workers)
    [person] = people_with_mail(1)
    [outbox_id] = letters_to([person])
    wait_for(mailbox.entered.is_set, "the letter to reach the mail server")
    victim, rescuer = _claimed_by(workers)
    # When that worker is killed there (the server never answers it)
    kill(victim)
    mailbox.released.set()
    # Then the other worker takes the task back once the first is stale, and the letter
    # arrives once; the killed try left no trace (its attempt was rolled back)
    wait_for(finished("send_letter", 1), "the letter to be sent again")
    [task] = tasks_of("send_letter")
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.worker_ids == [victim.worker_id, rescuer.worker_id]
    [letter] = mailbox.messages
    assert (
        letter["To"] == person.email and letter["Message-ID"] == f"<outbox-{outbox_id}@127.0.0.1>"
    )
    row = Outbox.objects.get(pk=outbox_id)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)
    assert not TaskWorker.objects.filter(pk=victim.worker_id).exists()


def test_the_window_left_a_letter_accepted_before_its_worker_died_comes_twice_as_one(
    start_worker, start_smtp
):
    """docs/workers.md: the one window exactly-once delivery cannot close. The mail server has
    taken the letter and the worker dies before its commit: the letter is sent again, and
    both copies carry the same Message-ID, so they are recognisable as one letter."""
    from shkola.notifications.models import Outbox, OutboxStatus

    mailbox, port = start_smtp(hold="data", then="keep")
    workers = start_worker("a", port, stale=3), start_worker("b", port, stale=3)
    ready(*workers)
    [person] = people_with_mail(1)
    [outbox_id] = letters_to([person])
    wait_for(mailbox.entered.is_set, "the mail server to take the letter")
    victim, rescuer = _claimed_by(workers)
    kill(victim)
    mailbox.released.set()
    wait_for(finished("send_letter", 1), "the letter to be sent again")
    [task] = tasks_of("send_letter")
    assert task.worker_ids == [victim.worker_id, rescuer.worker_id]
    assert [m["To"] for m in mailbox.messages] == [person.email, person.email]
    assert {m["Message-ID"] for m in mailbox.messages} == {f"<outbox-{outbox_id}@127.0.0.1>"}
    row = Outbox.objects.get(pk=outbox_id)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)


def test_a_worker_killed_while_saying_goodbye_to_the_mail_server_has_already_recorded_it(
    start_worker, start_smtp
):
    """The window is the commit alone: the SMTP session's QUIT comes after it, so a worker
    killed there leaves the letter SENT and the retried task sends nothing."""
    from shkola.notifications.models import Outbox, OutboxStatus

    mailbox, port = start_smtp(hold="quit")
    workers = start_worker("a", port, stale=3), start_worker("b", port, stale=3)
    ready(*workers)
    [person] = people_with_mail(1)
    [outbox_id] = letters_to([person])
    wait_for(mailbox.entered.is_set, "the letter to be accepted")
    victim, rescuer = _claimed_by(workers)
    kill(victim)
    mailbox.released.set()
    wait_for(finished("send_letter", 1), "the task to be run again")
    [task] = tasks_of("send_letter")
    assert task.status == TaskResultStatus.SUCCESSFUL and task.return_value is False
    assert task.worker_ids == [victim.worker_id, rescuer.worker_id]
    assert [m["To"] for m in mailbox.messages] == [person.email]
    row = Outbox.objects.get(pk=outbox_id)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)


def test_sigterm_lets_the_current_task_finish_and_the_heartbeat_goes_on_meanwhile(
    start_worker, start_smtp
):
    from shkola.notifications.models import Outbox, OutboxStatus

    # Given a worker inside a letter that takes long (the mail server holds it)
    mailbox, port = start_smtp(hold="data", then="accept")
    worker = start_worker("graceful", port)
    ready(worker)
    [person] = people_with_mail(1)
    [outbox_id] = letters_to([person])
    wait_for(mailbox.entered.is_set, "the letter to reach the mail server")
    # Then its heartbeat goes on while the task runs (a long task never looks dead)
    seen = TaskWorker.objects.get(pk=worker.worker_id).last_seen
    wait_for(
        lambda: TaskWorker.objects.get(pk=worker.worker_id).last_seen > seen,
        "a heartbeat during the task",
    )
    # When it is told to stop, and the mail server then accepts the letter
    worker.process.send_signal(signal.SIGTERM)
    wait_for(lambda: "shutting down gracefully" in worker.output(), "the worker to get SIGTERM")
    mailbox.released.set()
    # Then it finishes the letter and exits cleanly, signing off
    assert worker.process.wait(timeout=DEADLINE) == 0, worker.output()
    [task] = tasks_of("send_letter")
    assert task.status == TaskResultStatus.SUCCESSFUL and task.worker_ids == [worker.worker_id]
    assert [m["To"] for m in mailbox.messages] == [person.email]
    assert Outbox.objects.get(pk=outbox_id).status == OutboxStatus.SENT
    assert not TaskWorker.objects.filter(pk=worker.worker_id).exists()


def test_a_destruction_cut_by_a_killed_worker_is_undone_and_then_done_whole(
    start_worker, start_smtp
):
    import psycopg

    from shkola.accounts.models import AuditEvent, User
    from shkola.core.testing.factories import guardian_of, make_school
    from shkola.privacy import services
    from shkola.privacy.models import Destruction, DestructionStatus
    from shkola.schools.models import Guardianship, Student

    # Given a child with an account and a parent, whose consent was withdrawn
    school = make_school(n_students=2)
    child = school.students[0]
    parent = guardian_of(child, school.students[1])
    child_user = User.objects.create_user("child.worker", password="x", last_name="Ребёнков")
    Student.objects.filter(pk=child.pk).update(user=child_user)
    name = Student.objects.get(pk=child.pk).last_name
    consent = services.consent_give(user=parent, student=child, kind="parent")
    destruction = services.consent_withdraw(consent=consent, actor=parent)
    # and a worker that will be stopped inside the destruction's transaction: another
    # connection holds the child's account row, which the destruction changes near its end
    _mailbox, port = start_smtp()
    victim = start_worker("victim", port, stale=3)
    ready(victim)
    holder = psycopg.connect(_database_url(), autocommit=False)
    try:
        holder.execute("SELECT 1 FROM accounts_user WHERE id = %s FOR UPDATE", [child_user.pk])
        # When the curator destroys it now and the worker is killed mid-way
        services.destruction_now(destruction=destruction, actor=school.curator)

        def waiting_backend() -> int | None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND query LIKE 'UPDATE \"accounts_user\"%%'"
                )
                row = cursor.fetchone()
            return row[0] if row else None

        backend = wait_for(waiting_backend, "the destruction to reach the account")
        [task] = [t for t in tasks_of("destroy_personal_data") if t.status == "RUNNING"]
        assert task.worker_ids == [victim.worker_id]
        kill(victim)
    finally:
        holder.rollback()
        holder.close()

    def gone() -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend])
            return cursor.fetchone() is None

    wait_for(gone, "the killed worker's transaction to end")
    # Then nothing was destroyed: the name, the parent's link and the account stand
    assert Student.objects.get(pk=child.pk).last_name == name
    assert Guardianship.objects.filter(student=child).exists()
    assert User.objects.get(pk=child_user.pk).is_active
    assert Destruction.objects.get(pk=destruction.pk).status == DestructionStatus.PENDING
    # And another worker takes the task back and destroys everything, once
    rescuer = start_worker("rescuer", port, stale=3)

    def done() -> bool:
        task.refresh_from_db()
        return task.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)

    wait_for(done, "the destruction to be done again")
    assert task.status == TaskResultStatus.SUCCESSFUL, task.traceback
    assert task.worker_ids == [victim.worker_id, rescuer.worker_id]
    destruction.refresh_from_db()
    assert destruction.status == DestructionStatus.DONE
    destroyed = {row["category"]: row["count"] for row in destruction.act["destroyed"]}
    assert destroyed["Связи с законными представителями"] == 1  # the first run's was undone
    assert Student.objects.get(pk=child.pk).last_name == destruction.pseudonym
    assert not Guardianship.objects.filter(student=child).exists()
    assert not User.objects.get(pk=child_user.pk).is_active
    assert (
        AuditEvent.objects.filter(
            details__destruction=destruction.pk, details__summary__startswith="Персональные"
        ).count()
        == 1
    )
