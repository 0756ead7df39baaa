"""Factories, one module per app: ``tests.factories.foiregister`` and so on. Rows that go
through a service in real life (requests, events) are made by calling the service."""
