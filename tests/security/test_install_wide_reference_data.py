"""Install-wide reference data is the install operator's: the UK's proclaimed holidays move
every body's statutory clock, the statute's exemptions are cited in every body's letters,
and the list of organisations is the public site's. An organisation's Administrator (or any
other staff member, whatever permission a role or a direct grant gives) may view them but
not add, change or delete them; a superuser may. The gate is the kernel's scoped admin base,
so a new install-wide table is covered without being listed here: the walk below reads the
admin registry."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from foiregister.kernel.admin import OrganisationScopedMixin
from foiregister.kernel.models import Organisation
from foiregister.kernel.roles import ADMINISTRATOR, COMMISSIONER, FOI_LEAD, FOI_OFFICER
from foiregister.requests.models import Exemption, ProclaimedHoliday
from tests.conftest import _client_for, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def exemption(db):
    return Exemption.objects.get_or_create(
        code="s43_2", defaults={"section": "s.43(2)", "title": "Commercial interests"}
    )[0]


@pytest.fixture
def holiday(db):
    return ProclaimedHoliday.objects.create(
        date=datetime.date(2027, 6, 4), name="Jubilee", nations="ENG,WLS,SCT,NIR", source="x"
    )


@pytest.fixture
def superuser_client(install_operator):
    return _client_for(install_operator)


def _with_every_permission_on(user, *models):
    """A direct grant past the role: the gate must hold even if a role's table is wrong."""
    for model in models:
        user.user_permissions.add(
            *Permission.objects.filter(content_type__app_label=model._meta.app_label).filter(
                content_type__model=model._meta.model_name
            )
        )
    return type(user).objects.get(pk=user.pk)  # drop the cached permissions


def _install_wide_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, OrganisationScopedMixin)
        and model_admin.organisation_path is None
        and not model_admin.staff_write_shared_rows
    ]


def test_the_holiday_table_and_exemptions_are_among_the_locked_tables():
    locked = {model for model, _ in _install_wide_admins()}
    assert {Exemption, ProclaimedHoliday} <= locked


@pytest.mark.parametrize("role", [ADMINISTRATOR, FOI_LEAD, FOI_OFFICER, COMMISSIONER])
def test_organisation_staff_get_403_adding_changing_or_deleting_reference_data(
    role, organisation, exemption, holiday
):
    user = member(organisation, role, "staff-member")
    user = _with_every_permission_on(user, Exemption, ProclaimedHoliday, Organisation)
    client = _client_for(user)
    holidays_before = list(ProclaimedHoliday.objects.values_list("date", "name"))

    answers = {
        "exemption add": client.post(
            reverse("admin:foiregister_exemption_add"),
            {"code": "s99", "section": "s.99", "title": "Invented"},
        ).status_code,
        "exemption change": client.post(
            reverse("admin:foiregister_exemption_change", args=[exemption.pk]),
            {"code": exemption.code, "section": exemption.section, "title": "Rewritten"},
        ).status_code,
        "exemption delete": client.post(
            reverse("admin:foiregister_exemption_delete", args=[exemption.pk]), {"post": "yes"}
        ).status_code,
        "holiday add": client.post(
            reverse("admin:foiregister_proclaimedholiday_add"),
            {"date": "2027-01-04", "name": "Invented", "nations": "ENG", "source": ""},
        ).status_code,
        "holiday delete": client.post(
            reverse("admin:foiregister_proclaimedholiday_delete", args=[holiday.pk]),
            {"post": "yes"},
        ).status_code,
        "organisation add": client.post(
            reverse("admin:foiregister_organisation_add"),
            {"name": "Invented ICB", "ods_code": "QXX", "kind": "icb"},
        ).status_code,
    }

    assert answers == dict.fromkeys(answers, 403)
    assert not Exemption.objects.filter(code="s99").exists()
    assert Exemption.objects.get(pk=exemption.pk).title == "Commercial interests"
    assert list(ProclaimedHoliday.objects.values_list("date", "name")) == holidays_before
    assert not Organisation.objects.filter(ods_code="QXX").exists()


def test_delete_selected_on_the_holiday_list_removes_nothing_for_an_administrator(
    administrator, holiday
):
    user = _with_every_permission_on(administrator, ProclaimedHoliday)
    client = _client_for(user)

    client.post(
        reverse("admin:foiregister_proclaimedholiday_changelist"),
        {"action": "delete_selected", "_selected_action": [holiday.pk], "post": "yes"},
    )

    assert ProclaimedHoliday.objects.filter(pk=holiday.pk).exists()


def test_an_administrator_sees_reference_data_without_add_change_or_delete_buttons(
    administrator, exemption, holiday
):
    client = _client_for(_with_every_permission_on(administrator, Exemption, ProclaimedHoliday))

    for name, row in (("exemption", exemption), ("proclaimedholiday", holiday)):
        listing = client.get(reverse(f"admin:foiregister_{name}_changelist"))
        page = client.get(reverse(f"admin:foiregister_{name}_change", args=[row.pk]))
        assert listing.status_code == 200
        assert page.status_code == 200
        assert reverse(f"admin:foiregister_{name}_add") not in listing.content.decode()
        assert "delete_selected" not in listing.content.decode()
        body = page.content.decode()
        assert 'name="_save"' not in body
        assert reverse(f"admin:foiregister_{name}_delete", args=[row.pk]) not in body
    assert reverse("admin:foiregister_exemption_add") not in client.get("/admin/").content.decode()


def test_an_administrator_does_not_see_add_organisation(administrator):
    client = _client_for(administrator)

    listing = client.get(reverse("admin:foiregister_organisation_changelist")).content.decode()

    assert reverse("admin:foiregister_organisation_add") not in listing


def test_an_administrator_still_changes_its_own_organisations_settings(
    administrator, organisation
):
    client = _client_for(administrator)

    page = client.get(reverse("admin:foiregister_organisation_change", args=[organisation.pk]))

    assert 'name="_save"' in page.content.decode()


def test_a_superuser_adds_and_changes_exemptions_and_adds_an_organisation(
    superuser_client, exemption
):
    added = superuser_client.post(
        reverse("admin:foiregister_exemption_add"),
        {"code": "s31_demo", "section": "s.31(9)", "title": "Law enforcement"},
    )
    changed = superuser_client.post(
        reverse("admin:foiregister_exemption_change", args=[exemption.pk]),
        {
            "code": exemption.code,
            "section": exemption.section,
            "title": "Commercial interests (s.43(2))",
        },
    )
    organisation = superuser_client.post(
        reverse("admin:foiregister_organisation_add"),
        {
            "name": "Shropshire, Telford and Wrekin ICB",
            "ods_code": "QOC",
            "kind": "icb",
            "reference_pattern": "FOI/{yy}/{seq}",
            "retention_years": "3",
        },
    )

    assert (added.status_code, changed.status_code) == (302, 302)
    assert Exemption.objects.get(code="s31_demo").title == "Law enforcement"
    assert Exemption.objects.get(pk=exemption.pk).title == "Commercial interests (s.43(2))"
    assert organisation.status_code == 302, organisation.content.decode()[:2000]
    assert Organisation.objects.filter(ods_code="QOC").exists()


def test_a_superuser_adds_and_removes_a_proclaimed_holiday(
    superuser_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        added = superuser_client.post(
            reverse("admin:foiregister_proclaimedholiday_add"),
            {"date": "2027-01-04", "name": "Proclaimed day", "nations": "SCT", "source": "x"},
        )
    holiday = ProclaimedHoliday.objects.get(name="Proclaimed day")
    with django_capture_on_commit_callbacks(execute=True):
        removed = superuser_client.post(
            reverse("admin:foiregister_proclaimedholiday_delete", args=[holiday.pk]),
            {"post": "yes"},
        )

    assert (added.status_code, removed.status_code) == (302, 302)
    assert not ProclaimedHoliday.objects.filter(name="Proclaimed day").exists()
