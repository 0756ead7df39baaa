"""Factories for the FOI register. Requests are logged through ``services.log_request`` so
their reference and clock are what the product would give them."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from foiregister.kernel.models import Organisation
from foiregister.requests import services
from foiregister.requests.models import Department, Requester
from tests.factories import TEST_DATA


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@nhs.example")
    password = factory.django.Password("correct-horse-battery")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Test Integrated Care Board {n}")
    ods_code = factory.Sequence(lambda n: f"Q{n:03d}")
    kind = Organisation.Kind.ICB
    foi_email = "foi@icb.example"
    signatory_name = "Freedom of Information Team"
    signatory_title = "Corporate Governance"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Department {n}")


class RequesterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requester

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Fictional Requester {n}")
    email = factory.Sequence(lambda n: f"requester{n}@example.invalid")
    kind = Requester.Kind.PUBLIC


def received(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """A timestamp on ``day`` in Europe/London."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def log_request(*, organisation=None, requester=None, received_on=None, by=TEST_DATA, **kwargs):
    organisation = organisation or (requester.organisation if requester else OrganisationFactory())
    requester = requester or RequesterFactory(organisation=organisation)
    received_at = kwargs.pop("received_at", None) or received(
        received_on or datetime.date(2025, 9, 1)
    )
    kwargs.setdefault("title", "Imaging contracts")
    kwargs.setdefault("questions", ["How many independent sector imaging contracts do you hold?"])
    return services.log_request(
        organisation=organisation, requester=requester, received_at=received_at, by=by, **kwargs
    )
