"""Attacks on staff management (issue 12 item 1): an Administrator escalating to casework or
superuser through the user screens, and the FOI roles granted by anyone but the body's lead.

The rule: an Administrator manages its own organisations' staff and grants Commissioner and
Administrator only; FOI officer and FOI lead are granted by that organisation's FOI lead;
superuser is never granted in the product; nobody sets another person's password.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse

from foiregister.kernel import staff
from foiregister.kernel.exceptions import FoiRegisterError
from foiregister.kernel.models import AuditEvent
from foiregister.kernel.roles import ADMINISTRATOR, COMMISSIONER, FOI_LEAD, FOI_OFFICER
from tests.conftest import _client_for, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator_client(administrator):
    return _client_for(administrator)


def _change_url(user):
    return reverse("admin:auth_user_change", args=[user.pk])


def _everything(user, **extra):
    """A change-form POST carrying every field of Django's stock UserAdmin and of ours,
    so whichever form answers sees the attacker's values."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "10:00:00",
        "last_login_0": "",
        "last_login_1": "",
        "_save": "Save",
    }
    data.update(extra)
    return data


def _groups(user):
    return set(user.groups.values_list("name", flat=True))


def test_administrator_posting_is_superuser_changes_nothing(
    administrator_client, commissioner, administrator
):
    administrator_client.post(
        _change_url(commissioner), _everything(commissioner, is_superuser="on")
    )
    administrator_client.post(
        _change_url(administrator), _everything(administrator, is_superuser="on")
    )

    commissioner.refresh_from_db()
    administrator.refresh_from_db()
    assert not commissioner.is_superuser
    assert not administrator.is_superuser


def test_administrator_cannot_give_itself_foi_lead_through_the_user_screen(
    administrator_client, administrator
):
    lead_group = Group.objects.get(name=FOI_LEAD)
    officer_group = Group.objects.get(name=FOI_OFFICER)
    administrator_client.post(
        _change_url(administrator),
        _everything(
            administrator,
            groups=[lead_group.pk, officer_group.pk],
            roles=[FOI_LEAD, FOI_OFFICER, ADMINISTRATOR],
        ),
    )

    assert _groups(administrator) == {ADMINISTRATOR}


def test_administrator_cannot_grant_foi_roles_to_a_colleague(administrator_client, commissioner):
    administrator_client.post(
        _change_url(commissioner),
        _everything(
            commissioner,
            groups=[Group.objects.get(name=FOI_LEAD).pk],
            roles=[FOI_LEAD, COMMISSIONER],
        ),
    )

    assert _groups(commissioner) == {COMMISSIONER}


def test_administrator_cannot_grant_itself_user_permissions(administrator_client, administrator):
    from django.contrib.auth.models import Permission

    view_request = Permission.objects.get(codename="view_request")
    administrator_client.post(
        _change_url(administrator),
        _everything(administrator, user_permissions=[view_request.pk]),
    )

    assert not administrator.user_permissions.exists()


def test_administrator_cannot_set_an_officers_password(administrator_client, foi_officer):
    # Django's stock UserAdmin answers here with a form that sets any password.
    url = f"/admin/auth/user/{foi_officer.pk}/password/"
    administrator_client.post(
        url,
        {
            "password1": "attacker-chosen-Pa55",
            "password2": "attacker-chosen-Pa55",
            "usable_password": "true",
        },
    )

    foi_officer.refresh_from_db()
    assert foi_officer.check_password("correct-horse-battery")
    assert not foi_officer.check_password("attacker-chosen-Pa55")


def test_administrator_does_not_see_another_organisations_staff(
    administrator_client, other_organisation
):
    stranger = member(other_organisation, COMMISSIONER, "stranger-at-dudley")

    page = administrator_client.get(reverse("admin:auth_user_changelist")).content.decode()
    change = administrator_client.get(_change_url(stranger))

    assert "stranger-at-dudley" not in page
    assert change.status_code in (302, 404)


def test_administrator_cannot_edit_another_organisations_staff(
    administrator_client, other_organisation
):
    stranger = member(other_organisation, COMMISSIONER, "stranger-at-dudley")

    administrator_client.post(
        _change_url(stranger), _everything(stranger, email="attacker@evil.example")
    )

    stranger.refresh_from_db()
    assert stranger.email == "stranger-at-dudley@nhs.example"


def test_administrator_cannot_redirect_an_foi_leads_email_to_take_over_by_reset(
    administrator_client, foi_lead
):
    """Changing a lead's email, then sending a reset, would hand the lead's account (and
    every requester) to the Administrator: only someone who could grant all of a person's
    roles manages their account."""
    administrator_client.post(
        _change_url(foi_lead), _everything(foi_lead, email="attacker@evil.example")
    )

    foi_lead.refresh_from_db()
    assert foi_lead.email == "lead@nhs.example"


def test_administrator_cannot_pull_another_bodys_foi_lead_into_its_organisation(
    administrator, organisation, other_organisation
):
    """Membership is what makes a role count for a body: adding a lead of another body
    to ours would make them our FOI lead without our lead's say."""
    theirs = member(other_organisation, FOI_LEAD, "lead-at-dudley")

    with pytest.raises(FoiRegisterError):
        staff.add_staff_member(user=theirs, organisation=organisation, by=administrator)

    assert not organisation.members.filter(pk=theirs.pk).exists()


def test_organisation_screen_does_not_edit_members(
    administrator_client, administrator, organisation, other_organisation
):
    member(other_organisation, FOI_LEAD, "lead-at-dudley")
    url = reverse("admin:foiregister_organisation_change", args=[organisation.pk])
    page = administrator_client.get(url).content.decode()

    assert "lead-at-dudley" not in page
    assert 'name="members"' not in page


def test_administrator_grants_commissioner_and_the_grant_is_audited(administrator, organisation):
    newcomer = staff.create_staff_member(
        organisation=organisation,
        username="newcomer",
        email="newcomer@nhs.example",
        by=administrator,
    )

    staff.grant_role(user=newcomer, role=COMMISSIONER, organisation=organisation, by=administrator)

    assert _groups(newcomer) == {COMMISSIONER}
    event = AuditEvent.objects.get(action="staff.role_granted", object_id=str(newcomer.pk))
    assert event.actor == administrator.username
    assert event.organisation_id == str(organisation.pk)
    assert event.changes == {"role": [None, COMMISSIONER]}


def test_administrator_grants_commissioner_through_the_user_screen(
    administrator_client, organisation
):
    response = administrator_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newcomer",
            "email": "newcomer@nhs.example",
            "first_name": "New",
            "last_name": "Comer",
            "organisation": organisation.pk,
            "roles": [COMMISSIONER],
            "is_superuser": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    newcomer = organisation.members.get(username="newcomer")
    assert _groups(newcomer) == {COMMISSIONER}
    assert not newcomer.is_superuser
    assert not newcomer.check_password("")
    assert AuditEvent.objects.filter(
        action="staff.role_granted", object_id=str(newcomer.pk)
    ).exists()


def test_administrator_cannot_grant_foi_officer_by_service(
    administrator, commissioner, organisation
):
    with pytest.raises(FoiRegisterError):
        staff.grant_role(
            user=commissioner, role=FOI_OFFICER, organisation=organisation, by=administrator
        )
    assert _groups(commissioner) == {COMMISSIONER}


def test_foi_lead_grants_foi_officer_within_its_organisation(foi_lead, organisation):
    newcomer = staff.create_staff_member(
        organisation=organisation, username="newcomer", email="n@nhs.example", by=foi_lead
    )

    staff.grant_role(user=newcomer, role=FOI_OFFICER, organisation=organisation, by=foi_lead)

    assert _groups(newcomer) == {FOI_OFFICER}
    assert AuditEvent.objects.filter(
        action="staff.role_granted", object_id=str(newcomer.pk), actor=foi_lead.username
    ).exists()


def test_foi_lead_grants_foi_officer_through_the_user_screen(foi_lead_client, commissioner):
    foi_lead_client.post(
        _change_url(commissioner),
        _everything(commissioner, roles=[FOI_OFFICER]),
    )

    # The Commissioner role is not the lead's to grant or take away: it stays.
    assert _groups(commissioner) == {COMMISSIONER, FOI_OFFICER}


def test_foi_lead_cannot_grant_foi_officer_in_another_organisation(foi_lead, other_organisation):
    stranger = member(other_organisation, COMMISSIONER, "stranger-at-dudley")

    with pytest.raises(FoiRegisterError):
        staff.grant_role(
            user=stranger, role=FOI_OFFICER, organisation=other_organisation, by=foi_lead
        )
    assert _groups(stranger) == {COMMISSIONER}


def test_foi_lead_cannot_grant_administrator(foi_lead, foi_officer, organisation):
    with pytest.raises(FoiRegisterError):
        staff.grant_role(
            user=foi_officer, role=ADMINISTRATOR, organisation=organisation, by=foi_lead
        )


def test_role_revoked_is_audited(administrator, commissioner, organisation):
    staff.revoke_role(
        user=commissioner, role=COMMISSIONER, organisation=organisation, by=administrator
    )

    assert _groups(commissioner) == set()
    assert AuditEvent.objects.filter(
        action="staff.role_revoked", object_id=str(commissioner.pk)
    ).exists()


def test_password_reset_goes_by_email(administrator_client, commissioner):
    response = administrator_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "send_password_reset", "_selected_action": [commissioner.pk]},
    )

    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[commissioner.email]]
    assert AuditEvent.objects.filter(
        action="staff.password_reset_sent", object_id=str(commissioner.pk)
    ).exists()


def test_reset_email_link_opens_the_set_password_page(administrator_client, commissioner):
    administrator_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "send_password_reset", "_selected_action": [commissioner.pk]},
    )
    link = next(w for w in mail.outbox[0].body.split() if "/admin/reset/" in w)

    response = administrator_client.__class__().get(link, follow=True)

    assert response.status_code == 200
    assert 'name="new_password1"' in response.content.decode()


@pytest.mark.parametrize("page", ["changelist", "add", "change"])
def test_staff_screens_open_for_an_administrator(administrator_client, commissioner, page):
    args = [commissioner.pk] if page == "change" else []
    response = administrator_client.get(reverse(f"admin:auth_user_{page}", args=args))

    assert response.status_code == 200
    assert "is_superuser" not in response.content.decode()


def test_administrator_cannot_grant_a_role_to_someone_who_also_works_for_another_body(
    administrator_client, organisation, other_organisation
):
    """A role is a group and counts in every body its holder belongs to: making a shared
    commissioner Administrator here would make them Administrator of the other body too."""
    shared = member(organisation, COMMISSIONER, "shared-commissioner")
    other_organisation.members.add(shared)

    administrator_client.post(
        _change_url(shared), _everything(shared, roles=[COMMISSIONER, ADMINISTRATOR])
    )

    assert _groups(shared) == {COMMISSIONER}


def test_administrator_cannot_change_the_roles_groups_or_their_permissions(
    administrator_client, administrator
):
    group = Group.objects.get(name=ADMINISTRATOR)
    before = set(group.permissions.values_list("pk", flat=True))
    every = list(Permission.objects.values_list("pk", flat=True))

    add = administrator_client.post(
        reverse("admin:auth_group_add"), {"name": "Everything", "permissions": every}
    )
    change = administrator_client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": ADMINISTRATOR, "permissions": every},
    )

    assert (add.status_code, change.status_code) == (403, 403)
    assert set(group.permissions.values_list("pk", flat=True)) == before
    assert not Group.objects.filter(name="Everything").exists()


def test_administrator_creating_a_user_cannot_make_it_superuser_staff_wide_or_permitted(
    administrator_client, organisation
):
    administrator_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "planted",
            "email": "planted@nhs.example",
            "organisation": organisation.pk,
            "roles": [ADMINISTRATOR],
            "is_superuser": "on",
            "groups": [Group.objects.get(name=FOI_LEAD).pk],
            "user_permissions": ["1", "2", "3"],
            "_save": "Save",
        },
    )

    planted = get_user_model().objects.get(username="planted")
    assert not planted.is_superuser
    assert _groups(planted) == {ADMINISTRATOR}
    assert not planted.user_permissions.exists()
