"""Staff management: who belongs to which organisation, and who may give whom which role.

The rule (issue 12, item 1):

- An Administrator manages the staff of its own organisations and grants the Commissioner
  and Administrator roles; the FOI roles (FOI officer, FOI lead) are granted by that
  organisation's FOI lead. ``GRANTED_BY`` is the whole table.
- A role is a Django group, so it counts for every organisation its holder belongs to, and
  membership is what makes a role count for a body. Hence: a role is granted or revoked only
  by someone who may grant it in *every* organisation the person belongs to, and an existing
  person joins an organisation only if the one adding them could grant them each role they
  already hold there (else an Administrator could pull another body's FOI lead into ours).
- A person's account (name, email, active) is managed only by someone who could grant every
  role that person holds, in every organisation they belong to: changing a lead's email and
  sending a reset would otherwise hand the lead's account to an Administrator.
- Nobody grants superuser or staff status in the product (superusers come from
  ``manage.py createsuperuser``) and nobody sets another person's password: a reset goes by
  email (``send_password_reset``). New staff get a random password nobody knows.
- Every grant, revocation, membership change, account change and reset is audited, in the
  same transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from . import access, audit
from .exceptions import FoiRegisterError
from .models import Organisation
from .roles import ADMINISTRATOR, COMMISSIONER, FOI_LEAD, FOI_OFFICER, ROLES, user_has_role

# Role -> the role that grants (and revokes) it, within an organisation.
GRANTED_BY: dict[str, str] = {
    FOI_OFFICER: FOI_LEAD,
    FOI_LEAD: FOI_LEAD,
    COMMISSIONER: ADMINISTRATOR,
    ADMINISTRATOR: ADMINISTRATOR,
}
# The roles that manage an organisation's staff (each within its own grants).
STAFF_MANAGER_ROLES = (ADMINISTRATOR, FOI_LEAD)
ACCOUNT_FIELDS = ("first_name", "last_name", "email", "is_active")


class StaffRuleBroken(FoiRegisterError):
    """A staff change the acting user may not make."""


# Usernames are unique across the install (sign-in takes a bare username), so a name held
# by anyone, in any organisation, cannot be given again. The refusal says only that: not
# whose it is, not whether it is held here or elsewhere, nor that it differs in capitals.
USERNAME_UNAVAILABLE = "Choose another username: this one cannot be used."


def username_unavailable(username: str) -> bool:
    """Whether ``username`` may not be given to a new person: held already, whatever its
    capitals (two accounts differing only in case would be mistaken for each other)."""
    return get_user_model().objects.filter(username__iexact=username).exists()


# -- reads ----------------------------------------------------------------------------------


def _acts_as(by: Any, role: str, organisation: Organisation) -> bool:
    if not getattr(by, "is_authenticated", False):
        return False
    if by.is_superuser:
        return True
    return user_has_role(by, role) and organisation.members.filter(pk=by.pk).exists()


def roles_of(user: Any) -> set[str]:
    return set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))


def roles_grantable_by(by: Any, *, organisation: Organisation) -> tuple[str, ...]:
    """The roles ``by`` may grant in ``organisation``, in ``ROLES`` order."""
    return tuple(role for role in ROLES if _acts_as(by, GRANTED_BY[role], organisation))


def roles_grantable_to(user: Any, *, by: Any) -> tuple[str, ...]:
    """The roles ``by`` may grant to or revoke from ``user``: those ``by`` grants in every
    organisation ``user`` belongs to (none if they belong to none)."""
    organisations = list(user.organisations.all())
    if not organisations:
        return ROLES if getattr(by, "is_superuser", False) else ()
    return tuple(
        role for role in ROLES if all(_acts_as(by, GRANTED_BY[role], org) for org in organisations)
    )


def staff_organisations_of(by: Any) -> QuerySet[Organisation]:
    """The organisations whose staff ``by`` manages."""
    return access.organisations_of(by, roles=STAFF_MANAGER_ROLES)


def staff_visible_to(by: Any) -> QuerySet:
    """The people ``by`` may list: members of the organisations whose staff ``by``
    manages. Superusers are not staff of any body and are listed only to superusers."""
    users = get_user_model().objects.all()
    if getattr(by, "is_superuser", False):
        return users.order_by("username")
    return (
        users.filter(organisations__in=staff_organisations_of(by), is_superuser=False)
        .distinct()
        .order_by("username")
    )


def may_manage(user: Any, *, by: Any) -> bool:
    """Whether ``by`` may change ``user``'s account (name, email, active, a reset)."""
    if getattr(by, "is_superuser", False):
        return True
    if user.is_superuser:
        return False
    organisations = list(user.organisations.all())
    if not organisations:
        return False
    if not all(any(_acts_as(by, r, org) for r in STAFF_MANAGER_ROLES) for org in organisations):
        return False
    return roles_of(user) <= set(roles_grantable_to(user, by=by))


# -- writes ---------------------------------------------------------------------------------


def _refuse_superuser(user: Any, *, by: Any) -> None:
    if user.is_superuser and not by.is_superuser:
        raise StaffRuleBroken(f"{user.get_username()} is a superuser, managed outside the product")


def _require_member(user: Any, organisation: Organisation) -> None:
    if not organisation.members.filter(pk=user.pk).exists():
        raise StaffRuleBroken(
            f"{user.get_username()} is not a member of {organisation}: add them first",
            field="organisation",
        )


def _require_grant(user: Any, role: str, *, by: Any) -> None:
    if role not in GRANTED_BY:
        raise StaffRuleBroken(f"{role!r} is not a role", field="roles")
    for org in user.organisations.all():
        if not _acts_as(by, GRANTED_BY[role], org):
            raise StaffRuleBroken(
                f"the {role} role of {user.get_username()} is granted by the "
                f"{GRANTED_BY[role]} of {org}, which {by.get_username()} is not",
                field="roles",
            )


def _record_for_each_organisation(action: str, user: Any, *, by: Any, changes: dict) -> None:
    for org in user.organisations.all():
        audit.record_event(action=action, obj=user, by=by, organisation_id=org.pk, changes=changes)


@transaction.atomic
def grant_role(*, user: Any, role: str, organisation: Organisation, by: Any) -> None:
    """Give ``user`` (a member of ``organisation``) ``role``; a role already held is left."""
    _refuse_superuser(user, by=by)
    _require_member(user, organisation)
    _require_grant(user, role, by=by)
    if role in roles_of(user):
        return
    user.groups.add(Group.objects.get(name=role))
    _record_for_each_organisation(
        "staff.role_granted", user, by=by, changes={"role": [None, role]}
    )


@transaction.atomic
def revoke_role(*, user: Any, role: str, organisation: Organisation, by: Any) -> None:
    """Take ``role`` from ``user``; revoked by whoever grants it (same rule)."""
    _refuse_superuser(user, by=by)
    _require_member(user, organisation)
    _require_grant(user, role, by=by)
    if role not in roles_of(user):
        return
    user.groups.remove(Group.objects.get(name=role))
    _record_for_each_organisation(
        "staff.role_revoked", user, by=by, changes={"role": [role, None]}
    )


@transaction.atomic
def set_roles(*, user: Any, roles: Iterable[str], organisation: Organisation, by: Any) -> None:
    """Make ``user``'s roles among those ``by`` may grant them exactly ``roles``; roles
    ``by`` may not grant are neither given nor taken away."""
    wanted = set(roles)
    grantable = set(roles_grantable_to(user, by=by))
    refused = wanted - grantable - roles_of(user)
    if refused:
        _require_grant(user, sorted(refused)[0], by=by)
    held = roles_of(user)
    for role in ROLES:
        if role in grantable and role in wanted and role not in held:
            grant_role(user=user, role=role, organisation=organisation, by=by)
        elif role in grantable and role not in wanted and role in held:
            revoke_role(user=user, role=role, organisation=organisation, by=by)


@transaction.atomic
def create_staff_member(
    *,
    organisation: Organisation,
    username: str,
    email: str,
    by: Any,
    first_name: str = "",
    last_name: str = "",
) -> Any:
    """A new member of ``organisation`` with no role and a random password nobody knows:
    they set their own through a reset email. Staff status lets them reach the admin."""
    if not any(_acts_as(by, r, organisation) for r in STAFF_MANAGER_ROLES):
        raise StaffRuleBroken(
            f"{by.get_username()} does not manage the staff of {organisation}",
            field="organisation",
        )
    User = get_user_model()
    if username_unavailable(username):
        raise StaffRuleBroken(USERNAME_UNAVAILABLE, field="username")
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=True,
        is_superuser=False,
    )
    user.set_password(secrets.token_urlsafe(32))
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # taken between the check and the save
        raise StaffRuleBroken(USERNAME_UNAVAILABLE, field="username") from exc
    _join(user, organisation, by=by)
    return user


def _join(user: Any, organisation: Organisation, *, by: Any) -> None:
    """Membership and its audit row, for a new person and for an existing one alike."""
    organisation.members.add(user)
    audit.record_event(
        action=audit.AuditAction.STAFF_MEMBER_ADDED,
        obj=user,
        by=by,
        organisation_id=organisation.pk,
        changes={"organisation": [None, organisation.name]},
    )


@transaction.atomic
def add_staff_member(*, user: Any, organisation: Organisation, by: Any) -> None:
    """Make an existing person a member of ``organisation``: allowed only if ``by`` could
    grant them, in ``organisation``, each role they already hold."""
    _refuse_superuser(user, by=by)
    if not any(_acts_as(by, r, organisation) for r in STAFF_MANAGER_ROLES):
        raise StaffRuleBroken(
            f"{by.get_username()} does not manage the staff of {organisation}",
            field="organisation",
        )
    for role in sorted(roles_of(user)):
        if not _acts_as(by, GRANTED_BY[role], organisation):
            raise StaffRuleBroken(
                f"{user.get_username()} holds {role}, which only the {GRANTED_BY[role]} of "
                f"{organisation} may bring into it",
                field="organisation",
            )
    if organisation.members.filter(pk=user.pk).exists():
        return
    _join(user, organisation, by=by)


@transaction.atomic
def remove_staff_member(*, user: Any, organisation: Organisation, by: Any) -> None:
    """End ``user``'s membership of ``organisation``; by someone who could grant each role
    they hold there (an Administrator does not remove the body's FOI lead)."""
    _refuse_superuser(user, by=by)
    _require_member(user, organisation)
    for role in sorted(roles_of(user)):
        if not _acts_as(by, GRANTED_BY[role], organisation):
            raise StaffRuleBroken(
                f"{user.get_username()} holds {role}: only the {GRANTED_BY[role]} of "
                f"{organisation} may remove them",
                field="organisation",
            )
    organisation.members.remove(user)
    audit.record_event(
        action=audit.AuditAction.STAFF_MEMBER_REMOVED,
        obj=user,
        by=by,
        organisation_id=organisation.pk,
        changes={"organisation": [organisation.name, None]},
    )


@transaction.atomic
def update_staff_account(*, user: Any, by: Any, **values: Any) -> None:
    """Change ``user``'s name, email or active flag (``ACCOUNT_FIELDS`` only)."""
    unknown = set(values) - set(ACCOUNT_FIELDS)
    if unknown:
        raise StaffRuleBroken(f"{sorted(unknown)[0]} is not changed here", field=None)
    if not may_manage(user, by=by):
        raise StaffRuleBroken(
            f"{by.get_username()} may not manage the account of {user.get_username()}"
        )
    before = audit.snapshot(user, values)
    for name, value in values.items():
        setattr(user, name, value)
    changes = audit.diff(before, audit.snapshot(user, values))
    if not changes:
        return
    user.save(update_fields=list(changes))
    _record_for_each_organisation("staff.account_changed", user, by=by, changes=changes)


class _OneUserPasswordResetForm(PasswordResetForm):
    """Django's reset email, sent to exactly one account (the stock form mails every
    account sharing the address)."""

    def __init__(self, user: Any) -> None:
        super().__init__(data={"email": user.email})
        self._user = user

    def get_users(self, email: str):
        user = self._user
        if user.is_active and user.has_usable_password() and user.email:
            yield user


@transaction.atomic
def send_password_reset(*, user: Any, by: Any, domain: str, use_https: bool) -> bool:
    """Email ``user`` a link to set their own password; False if they cannot receive one
    (inactive or no email). Nobody sets another person's password."""
    if not may_manage(user, by=by):
        raise StaffRuleBroken(
            f"{by.get_username()} may not manage the account of {user.get_username()}"
        )
    if not (user.is_active and user.email):
        return False
    form = _OneUserPasswordResetForm(user)
    form.is_valid()
    form.save(domain_override=domain, use_https=use_https)
    _record_for_each_organisation("staff.password_reset_sent", user, by=by, changes={})
    return True
