"""Factories, one module per app: ``tests.factories.foiregister`` and so on. Rows that go
through a service in real life (requests, events) are made by calling the service."""

from foiregister.kernel import audit

# The audit log refuses ``by=None``: test data made without a user is made by this actor.
TEST_DATA = audit.system("test data")
