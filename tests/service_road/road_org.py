"""Names the service-road tests share (a module of its own: every test folder has a conftest)."""

ALICE = "alice@northwind.example"
BOB = "bob@northwind.example"
SWEEP = 0.5  # the service's sweep interval in these tests (seconds)
