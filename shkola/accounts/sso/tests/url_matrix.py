from shkola.core.testing.matrix import Case, expect

CASES = [
    # The demo has no identity provider configured: a provider that is off is a 404.
    Case("sso:login", expect(404), kwargs=lambda w: {"provider": "gosuslugi"}),
    # A callback with no sign-in started in this browser fails the state check.
    Case("sso:callback", expect(404), kwargs=lambda w: {"provider": "gosuslugi"}),
    Case("sso:unmatched", expect(404, anonymous=302, curator=200)),
    Case(
        "sso:unmatched_link",
        expect(405, anonymous=302),  # POST only
        kwargs=lambda w: {"unmatched_id": 1},
    ),
    Case(
        "sso:unmatched_dismiss",
        expect(405, anonymous=302),
        kwargs=lambda w: {"unmatched_id": 1},
    ),
]
