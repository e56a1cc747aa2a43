from shkola.core.testing.matrix import Case, expect

CASES = [
    # The home page lives in shkola.home and keeps the name core:home (config/urls.py).
    Case("core:home", expect(200, anonymous=302)),
]
