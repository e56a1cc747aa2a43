from shkola.core.testing.matrix import Case, expect

CASES = [
    Case("accounts:login", expect(302, anonymous=200)),  # signed-in users are sent home
    Case("accounts:logout", expect(405, anonymous=302)),  # POST only
    Case("accounts:switch_child", expect(405, anonymous=302)),
    Case("accounts:profile", expect(200, anonymous=302)),
    Case("accounts:password_change", expect(200, anonymous=302)),
]
