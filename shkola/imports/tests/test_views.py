"""The import pages through HTTP: upload, the dry-run report, «Применить», the progress."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from shkola.core.testing.factories import staff, valid_snils
from shkola.imports.models import ImportJob
from shkola.schools.models import Guardian, Guardianship, Student

from .conftest import PARENT_HEADER, STUDENT_HEADER, csv_bytes, xlsx

pytestmark = pytest.mark.django_db


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, content: bytes, name: str = "ученики.xlsx", kind: str = "students"):
    return client.post(
        reverse("imports:index"),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )


def test_the_page_offers_both_templates(school, curator):
    page = client_of(curator).get(reverse("imports:index"))

    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("imports:template", args=["students"]) in html
    assert reverse("imports:template", args=["parents"]) in html
    download = client_of(curator).get(reverse("imports:template", args=["students"]))
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_file_with_errors_shows_each_row_and_column_and_offers_no_apply(school, deputy):
    rows = [
        ["Иванова", "Мария", "", "17.05.2013", "ж", "", "7Я"],
        ["Петров", "Илья", "", "01.02.2013", "м", "", "7А"],
    ]

    response = upload(client_of(deputy), xlsx(STUDENT_HEADER, rows))

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job", args=[job.id])
    page = client_of(deputy).get(response["Location"]).content.decode()
    assert "класса «7Я» нет в школе" in page
    assert "столбец «Класс»" in page
    assert 'id="import-apply"' not in page
    assert not Student.objects.filter(organisation=school.organisation).exists()


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"", "empty.csv", "пустой"),
        (b"%PDF-1.4 not a table\x00\x00", "doc.xlsx", "не таблица"),
        (b"PK\x03\x04broken", "broken.xlsx", "не читается"),
    ],
)
def test_a_bad_file_comes_back_with_a_russian_error_not_a_500(
    school, curator, content, name, expected
):
    response = upload(client_of(curator), content, name=name)

    assert response.status_code == 422
    html = response.content.decode()
    assert "«Файл»" in html and expected in html
    assert not ImportJob.objects.exists()


def test_no_file_and_an_unknown_kind_are_named(school, curator):
    response = client_of(curator).post(reverse("imports:index"), {"kind": "teachers"})

    assert response.status_code == 422
    html = response.content.decode()
    assert "«Что загружается»: выберите из списка." in html
    assert "«Файл»: выберите файл .xlsx или .csv." in html


def test_apply_runs_the_job_and_the_page_shows_the_result(
    school, curator, django_capture_on_commit_callbacks
):
    client = client_of(curator)
    rows = [["Иванова", "Мария", "", "17.05.2013", "ж", valid_snils(200300400), "7А"]]
    job_url = upload(client, csv_bytes(STUDENT_HEADER, rows))["Location"]
    job = ImportJob.objects.get()
    assert 'id="import-apply"' in client.get(job_url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:apply", args=[job.id]))

    assert response.status_code == 302
    page = client.get(job_url).content.decode()
    assert "создано — 1" in page
    assert 'id="import-apply"' not in page
    assert Student.objects.filter(organisation=school.organisation).count() == 1


def test_a_running_job_polls_its_progress_every_two_seconds(school, curator):
    job = ImportJob.objects.create(
        organisation=school.organisation,
        kind="students",
        file_name="big.csv",
        status=ImportJob.Status.RUNNING,
        total=10_000,
        progress=2_500,
    )
    client = client_of(curator)

    page = client.get(reverse("imports:job", args=[job.id])).content.decode()
    fragment = client.get(reverse("imports:progress", args=[job.id]), HTTP_HX_REQUEST="true")

    assert 'hx-trigger="every 2s"' in page
    html = fragment.content.decode()
    assert "<html" not in html
    assert 'value="25"' in html and "обработано 2500 из 10000" in html
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, progress=10_000, result={"created": 10_000, "updated": 0}
    )
    done = client.get(reverse("imports:progress", args=[job.id])).content.decode()
    assert "every 2s" not in done and "создано — 10000" in done


def test_another_schools_administration_and_teachers_get_a_404(school):
    from shkola.core.testing.factories import make_school

    other = make_school()
    job = ImportJob.objects.create(
        organisation=school.organisation, kind="students", file_name="x.csv", status="checked"
    )
    for user in (other.curator, school.teacher, staff(school.organisation, "specialist")):
        client = client_of(user)
        assert client.get(reverse("imports:job", args=[job.id])).status_code == 404
        assert client.post(reverse("imports:apply", args=[job.id])).status_code == 404
    assert ImportJob.objects.get(pk=job.pk).status == "checked"


def test_a_file_posted_for_another_school_goes_to_the_curators_own(school):
    from shkola.core.testing.factories import make_school

    other = make_school()
    rows = [["Иванова", "Мария", "", "17.05.2013", "ж", "", "7А"]]

    upload_to_other = client_of(school.curator).post(
        reverse("imports:index") + f"?school={other.organisation.id}",
        {"kind": "students", "file": SimpleUploadedFile("a.csv", csv_bytes(STUDENT_HEADER, rows))},
    )

    assert upload_to_other.status_code == 302
    assert ImportJob.objects.get().organisation == school.organisation


def test_three_hundred_students_and_their_parents_from_the_templates(
    school, curator, django_capture_on_commit_callbacks
):
    """The «done means» of the issue: 300 students and their parents, twice, no duplicates."""
    rng = random.Random(11)
    surnames = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов"]
    names = ["Артём", "Иван", "Лев", "Марк", "Егор", "Тимофей", "Матвей", "Никита"]
    students, parents = [], []
    for n in range(300):
        snils = valid_snils(400000000 + n * 7) if n % 3 else ""
        surname, name = rng.choice(surnames), f"{rng.choice(names)}{n}"
        birth = f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.2013"
        students.append([surname, name, "", birth, "м", snils, "7А" if n % 2 else "7Б"])
        child = [snils, "", "", "", ""] if snils else ["", surname, name, "", birth]
        parents.append([f"{surname}а", "Мать", f"{n}", "", "", "мать", *child])
    client = client_of(curator)

    for _attempt in range(2):
        for kind, header, rows in (
            ("students", STUDENT_HEADER, students),
            ("parents", PARENT_HEADER, parents),
        ):
            job_url = upload(client, xlsx(header, rows), kind=kind)["Location"]
            job = ImportJob.objects.latest("id")
            assert job.status == "checked", job.report["rows"][:3]
            with django_capture_on_commit_callbacks(execute=True):
                client.post(reverse("imports:apply", args=[job.id]))
            assert "Загружено" in client.get(job_url).content.decode()

    assert Student.objects.filter(organisation=school.organisation).count() == 300
    ours = Guardian.objects.filter(guardianships__student__organisation=school.organisation)
    assert ours.distinct().count() == 300
    assert Guardianship.objects.filter(student__organisation=school.organisation).count() == 300
    assert Student.objects.filter(current_class__isnull=True).count() == 0


def test_a_file_over_the_size_limit_is_refused_before_reading(school, curator, monkeypatch):
    from shkola.imports import views

    monkeypatch.setattr(views, "MAX_FILE_BYTES", 1024 * 1024)
    big = b"\xd0\xa4;\xd0\x98\n" + b"x;y\n" * 300_000

    response = upload(client_of(curator), big, name="huge.csv")

    assert response.status_code == 422
    assert "«Файл»: файл больше 1 МБ." in response.content.decode()
    assert not ImportJob.objects.exists()
