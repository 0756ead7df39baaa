"""The four roles (Django groups) and exactly what each may do.

A role says what kind of work a person does; which organisations they do it for is their
membership (``Organisation.members``). ``foiregister.kernel.access`` combines the two.
"""

from __future__ import annotations

from typing import Any

FOI_OFFICER = "FOI officer"
FOI_LEAD = "FOI lead"
COMMISSIONER = "Commissioner"
ADMINISTRATOR = "Administrator"
ROLES = (FOI_OFFICER, FOI_LEAD, COMMISSIONER, ADMINISTRATOR)


def user_has_role(user: Any, role: str) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=role).exists()


# Role -> (app label, model or "*", actions). Apps added later (letters, disclosure) are
# covered by their app label; custom permissions are named explicitly.
ROLE_PERMISSIONS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    FOI_OFFICER: [
        ("foiregister", "*", ("view", "add", "change")),
        ("foiregister", "organisation", ("view",)),
        ("foiregister", "exemption", ("view",)),
        ("foiregister", "proclaimedholiday", ("view",)),
        ("foiregister", "auditevent", ("view",)),
        ("foiregister", "importjob", ()),  # FOI log imports are the lead's (issue 16)
        ("letters", "*", ("view", "add", "change")),
        ("intake", "*", ("view", "add", "change")),
        ("disclosure", "*", ("view",)),
        ("contracts", "*", ("view",)),
        ("metrics", "*", ("view",)),
    ],
    FOI_LEAD: [
        ("foiregister", "*", ("view", "add", "change")),
        ("foiregister", "organisation", ("view", "change")),
        ("foiregister", "exemption", ("view",)),
        ("foiregister", "proclaimedholiday", ("view",)),
        ("foiregister", "auditevent", ("view",)),
        ("letters", "*", ("view", "add", "change", "approve")),
        ("intake", "*", ("view", "add", "change")),
        ("disclosure", "*", ("view", "add", "change", "publish")),
        ("contracts", "*", ("view",)),
        ("metrics", "*", ("view",)),
        # Grants the FOI roles in its organisations; the staff screen offers only those
        # (foiregister.kernel.staff.GRANTED_BY), never superuser, permissions or passwords.
        ("auth", "user", ("view", "add", "change")),
    ],
    COMMISSIONER: [
        ("contracts", "*", ("view", "add", "change")),
        ("metrics", "*", ("view", "add", "change")),
        ("foiregister", "organisation", ("view",)),
        ("foiregister", "auditevent", ("view",)),
    ],
    # Runs its organisation (its staff, its settings, departments, registers) but not FOI
    # casework: requests and requesters are for FOI officers and leads, the same rule as
    # ``access.CASEWORK_ROLES``. Install-wide reference data (the holiday table,
    # exemptions, new organisations) is the install operator's, a superuser's: viewed here.
    ADMINISTRATOR: [
        ("foiregister", "organisation", ("view", "change")),
        ("foiregister", "department", ("view", "add", "change")),
        ("foiregister", "exemption", ("view",)),
        ("foiregister", "proclaimedholiday", ("view",)),
        ("foiregister", "deadlinerecomputation", ("view",)),
        ("foiregister", "auditevent", ("view",)),
        ("contracts", "*", ("view", "add", "change")),
        ("metrics", "*", ("view", "add", "change")),
        # Manages its organisations' staff and grants Commissioner and Administrator only
        # (foiregister.kernel.staff.GRANTED_BY); groups themselves are never changed.
        ("auth", "user", ("view", "add", "change")),
        ("auth", "group", ("view",)),
    ],
}


def ensure_roles() -> None:
    """Create the four groups with exactly their permissions (idempotent; run after every
    migrate). No role may delete a request, question or event: nothing is hard-deleted."""
    from django.contrib.auth.models import Group, Permission

    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        # A model named on its own line takes exactly those actions; "*" covers the rest.
        named = {(app, model) for app, model, _ in grants if model != "*"}
        codenames: set[int] = set()
        for app_label, model, actions in grants:
            qs = Permission.objects.filter(content_type__app_label=app_label)
            if model != "*":
                qs = qs.filter(content_type__model=model)
            else:
                for app, excluded in named:
                    if app == app_label:
                        qs = qs.exclude(content_type__model=excluded)
            for perm in qs.select_related("content_type"):
                action = perm.codename.split("_", 1)[0]
                if action in actions:
                    codenames.add(perm.pk)
        group.permissions.set(codenames)
