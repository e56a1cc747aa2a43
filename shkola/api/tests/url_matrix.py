"""Who gets what from the api app's URLs (see shkola/core/testing/matrix.py).

The HTML pages — the consent screen and «Приложения» — are for every signed-in person. The
API itself takes bearer tokens only: a browser session is not a token, so every role gets the
API's 401 (its role rules have their own tests: test_same_rules.py, test_api.py). The OpenAPI
document and its docs page are public; DOT's token endpoints take POST only."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import urlencode

from shkola.core.testing.matrix import Case, expect

SIGNED_IN = expect(200, anonymous=302)
BEARER_ONLY = expect(401)
PUBLIC = expect(200)
POST_ONLY = expect(405)

VERIFIER = "demo-verifier-" + "x" * 40


def _consent_query(w: Any) -> str:
    from shkola.api.demo import DEMO_CLIENT_ID, DEMO_REDIRECT_URI, demo_application_ensure

    demo_application_ensure()
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
    )
    return urlencode(
        {
            "response_type": "code",
            "client_id": DEMO_CLIENT_ID,
            "redirect_uri": DEMO_REDIRECT_URI,
            "scope": "diary marks",
            "state": "matrix",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )


def _student(w: Any) -> dict[str, Any]:
    return {"student_id": w.student.id}


CASES = [
    Case("apps:list", SIGNED_IN),
    Case("apps:revoke", expect(405, anonymous=302), kwargs=lambda w: {"application_id": 1}),
    Case("oauth2_provider:authorize", SIGNED_IN, query=_consent_query, label="consent"),
    # no client: DOT's error on our page, a 400, never a redirect to an unchecked address
    Case("oauth2_provider:authorize", expect(400, anonymous=302), label="no client"),
    Case("oauth2_provider:token", POST_ONLY),
    Case("oauth2_provider:revoke-token", POST_ONLY),
    Case("api:openapi-json", PUBLIC),
    Case("api:openapi-view", PUBLIC),
    Case("api:api-root", expect(404)),
    Case("api:me", BEARER_ONLY),
    Case("api:diary_week", BEARER_ONLY, kwargs=_student),
    Case("api:homework", BEARER_ONLY, kwargs=_student),
    Case("api:report_card", BEARER_ONLY, kwargs=_student),
    Case("api:final_marks", BEARER_ONLY, kwargs=_student),
    Case("api:timetable", BEARER_ONLY, kwargs=_student),
    Case("api:portfolio", BEARER_ONLY, kwargs=_student),
    Case("api:inbox", BEARER_ONLY),
    Case("api:message", BEARER_ONLY, kwargs=lambda w: {"message_id": 1}),
    Case("api:announcements", BEARER_ONLY),
]
