"""The URL × role matrix: every app declares, in ``shkola/<app>/tests/url_matrix.py``, a
``CASES`` list saying which status each demo role gets from each of its URLs. The walker test
(shkola/accounts/tests/test_url_matrix.py) fails for a URL that no app declared.

Roles are the fixed demo logins plus ``anonymous``. ``kwargs`` receives the demo world
(shkola.demo.testing.DemoWorld) and returns the URL's arguments, so a case can point at
the role's own object or at another family's or school's object (which must be a 404)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = (
    "anonymous",
    "student",
    "parent",
    "teacher",
    "classteacher",
    "curator",
    "official",
    # linked to two schools (issue 9): children in the demo school and in the other one;
    # a teacher of the demo school whose child studies in the other one
    "parent_two_schools",
    "teacher_parent",
)
STAFF = ("teacher", "classteacher", "curator")
FAMILY = ("student", "parent")

LOGIN_REDIRECT = 302


def expect(default: int, **overrides: int) -> dict[str, int]:
    """``expect(200, anonymous=302, official=404)``: one status for all roles but the named ones."""
    result = {role: default for role in ROLES}
    for role, status in overrides.items():
        if role not in result:
            raise KeyError(role)
        result[role] = status
    return result


@dataclass
class Case:
    url_name: str
    expect: dict[str, int]
    kwargs: Callable[[Any], dict[str, Any]] | None = None
    query: Callable[[Any], str] | str = ""
    label: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = set(ROLES) - set(self.expect)
        if missing:
            raise ValueError(f"{self.url_name}: no expectation for {sorted(missing)}")
