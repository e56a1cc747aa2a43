from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shkola.core.testing.factories import School, guardian_of, make_school


def jpeg(
    name: str = "photo.jpg", size: tuple[int, int] = (640, 480), color: str = "red"
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def pdf(name: str = "diploma.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"
    )


@dataclass
class World:
    school: School
    student: Any
    classmate: Any
    parent: Any
    student_user: Any


@pytest.fixture
def world(db: Any) -> World:
    from shkola.core.testing.factories import UserFactory

    school = make_school(n_students=3)
    student = school.students[0]
    student_user = UserFactory()
    student.user = student_user
    student.save(update_fields=["user"])
    parent = guardian_of(student)
    return World(school, student, school.students[1], parent, student_user)
