from shkola.core.testing.matrix import Case, expect

CASES = [
    Case("core:healthz", expect(200)),
    Case("core:favicon", expect(301)),
]
