"""The one staff access gate: which organisations a user acts for, in which role, and the
querysets that follow from that.

Every admin changelist, change view, form-field choice, widget and export, and every service
that acts on an object a user picked, reaches rows through here (the breast screening
service's ADR-005, "provider-scoped queries"). A role (a Django group) says what kind of work
someone does; membership of an organisation says for whom. A superuser acts for all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Model, Q, QuerySet

from .models import AuditEvent, Organisation
from .roles import ADMINISTRATOR, COMMISSIONER, FOI_LEAD, FOI_OFFICER, user_has_role

# FOI casework (requests, requesters, letters, publication) is for FOI officers and leads.
CASEWORK_ROLES = (FOI_OFFICER, FOI_LEAD)
# The contract, CDC and metrics registers are kept by commissioners and administrators and
# read by FOI staff, who answer requests from them.
REGISTER_ROLES = (COMMISSIONER, ADMINISTRATOR, FOI_OFFICER, FOI_LEAD)
EVERY_ROLE = (FOI_OFFICER, FOI_LEAD, COMMISSIONER, ADMINISTRATOR)


def has_any_role(user: Any, roles: Iterable[str]) -> bool:
    return any(user_has_role(user, role) for role in roles)


def organisations_of(user: Any, *, roles: Iterable[str] = EVERY_ROLE) -> QuerySet[Organisation]:
    """The organisations ``user`` acts for in one of ``roles``; every one for a superuser,
    none for an anonymous visitor or someone with none of the roles."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    if not has_any_role(user, roles):
        return Organisation.objects.none()
    return Organisation.objects.filter(members=user)


def _paths(via: str | tuple[str, ...]) -> tuple[str, ...]:
    return (via,) if isinstance(via, str) else tuple(via)


def scoped(
    queryset: QuerySet,
    user: Any,
    *,
    via: str | tuple[str, ...] | None,
    roles: Iterable[str] = EVERY_ROLE,
) -> QuerySet:
    """``queryset`` narrowed to rows whose organisation (reached by the lookup ``via``, e.g.
    ``"organisation"`` or ``"request__organisation"``; several lookups mean "any of them",
    as a CDC belongs to its host trust and its ICB) the user acts for in one of ``roles``.

    ``via=None`` is install-wide reference data (exemptions, suppliers, national metrics
    datasets): every row, but still only for someone with one of ``roles``."""
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if user.is_superuser:
        return queryset
    if not has_any_role(user, roles):
        return queryset.none()
    if via is None:
        return queryset
    orgs = organisations_of(user, roles=roles)
    condition = Q()
    for path in _paths(via):
        condition |= Q(**{f"{path}__in": orgs})
    return queryset.filter(condition)


def may_change_install_wide_data(user: Any) -> bool:
    """Whether ``user`` may add, change or delete install-wide reference data: the UK's
    proclaimed holidays (every body's statutory clock), the statute's exemptions, the list
    of organisations. Only the install's operator (a superuser) may: an organisation's
    Administrator runs one body, and a holiday added by one body would move every other
    body's deadlines. Organisation staff may view it."""
    return bool(getattr(user, "is_authenticated", False) and user.is_superuser)


def may_act_on(
    obj: Model,
    user: Any,
    *,
    via: str | tuple[str, ...] | None,
    roles: Iterable[str] = EVERY_ROLE,
) -> bool:
    """Whether ``user`` may act on the one row ``obj`` (an object the user picked)."""
    model = type(obj)
    return scoped(model._default_manager.filter(pk=obj.pk), user, via=via, roles=roles).exists()


def colleagues_of(
    user: Any,
    *,
    roles: Iterable[str] | None = EVERY_ROLE,
    organisation: Organisation | None = None,
) -> QuerySet:
    """Active staff who may do work in ``roles`` (hold one of them, or are superusers) for
    the organisations ``user`` acts for in those roles: the people a picker offers (an
    assignee, whose time was spent). ``organisation`` narrows to one of them (the
    request's); ``roles=None`` means every member, whatever their role (membership lists).
    """
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    if not getattr(user, "is_authenticated", False):
        return users.none()
    if roles is not None:
        users = users.filter(Q(groups__name__in=list(roles)) | Q(is_superuser=True))
    if not user.is_superuser:
        users = users.filter(organisations__in=organisations_of(user, roles=roles or EVERY_ROLE))
    if organisation is not None:
        users = users.filter(organisations=organisation)
    return users.distinct().order_by("username")


# Audit rows about requests, their requesters, letters, disclosure entries and the emails
# they arrive in: only FOI officers and leads read them, as only they read the requests (a
# requester's name is the object of a "requester.created" row; an unreadable email's row
# quotes its From header).
REQUEST_SIDE_AUDIT_PREFIXES = ("foiregister.", "letters.", "disclosure.", "intake.")


def audit_events_visible_to(user: Any) -> QuerySet[AuditEvent]:
    """The audit history a user may read: their organisations' rows, and of those the
    request side only for FOI officers and leads (commissioners see the registers')."""
    if not getattr(user, "is_authenticated", False):
        return AuditEvent.objects.none()
    if user.is_superuser:
        return AuditEvent.objects.all()
    orgs = [str(pk) for pk in organisations_of(user).values_list("pk", flat=True)]
    qs = AuditEvent.objects.filter(organisation_id__in=orgs)
    if not has_any_role(user, CASEWORK_ROLES):
        for prefix in REQUEST_SIDE_AUDIT_PREFIXES:
            qs = qs.exclude(object_type__startswith=prefix)
    return qs
