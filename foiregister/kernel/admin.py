"""The admin's shared pieces and the kernel's own screens (organisations, the audit log).

Every staff screen builds on ``ScopedModelAdmin`` (inlines on ``ScopedTabularInline`` or
``ScopedStackedInline``): its querysets and its foreign-key and many-to-many choices come from
the one access gate (``foiregister.kernel.access``). ``tests/security/test_admin_walk.py``
fails on a registered admin or inline that does not.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from . import access, organisations
from .exceptions import FoiRegisterError
from .models import AuditEvent, Organisation

admin.site.site_header = "FOI and procurement register"
admin.site.site_title = "FOI register"
admin.site.index_title = "Requests, registers and metrics"


def service_error_to_form(form: forms.Form, exc: FoiRegisterError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


class NoDeleteMixin:
    """Nothing in the request register is ever hard-deleted by an officer."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyMixin(NoDeleteMixin):
    """Rows written only by services (audit events, recomputation runs): view, never edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


_UNDECLARED = object()


def organisation_path_of(model, *, depth: int = 3) -> str | None:
    """The lookup from ``model`` to the organisation that owns its rows, following forward
    foreign keys breadth first (``Question`` -> ``"request__organisation"``); None when its
    rows belong to no organisation (install-wide reference data)."""
    frontier: list[tuple[type, str]] = [(model, "")]
    for _ in range(depth):
        following = []
        for current, prefix in frontier:
            for field in current._meta.concrete_fields:
                if not field.is_relation or not (field.many_to_one or field.one_to_one):
                    continue
                if field.related_model is Organisation and field.name == "organisation":
                    return f"{prefix}{field.name}"
                if field.related_model not in (Organisation, current):
                    following.append((field.related_model, f"{prefix}{field.name}__"))
        frontier = following
    return None


class OrganisationScopedMixin:
    """A staff screen (or inline) whose rows and choices come from the one access gate.

    Declare, on every admin:

    - ``organisation_path``: the lookup from the row to the organisation that owns it
      (``"organisation"``, ``"request__organisation"``; a tuple means any of them, as a CDC
      belongs to its host trust and its ICB), or None for install-wide reference data
      (exemptions, suppliers, national metrics datasets), which is still shown only to
      someone holding one of ``scope_roles``;
    - ``scope_roles``: the roles that do this work (``access.CASEWORK_ROLES`` for requests
      and letters, ``access.REGISTER_ROLES`` for the registers);
    - ``staff_write_shared_rows``: install-wide rows are added, changed and deleted only by
      a superuser unless this says staff of every body keep them together;
    - ``reference_fields``: the foreign keys that only *refer* to an organisation or row,
      and so offer every choice (a CDC's host trust: a commissioner records the Royal
      Wolverhampton Trust as host of a CDC in their area without belonging to it).

    Every other foreign-key and many-to-many field offers only what the gate allows: the
    user's organisations, their colleagues who do this work, and rows of other models as
    those models' own (scoped) admins show them, or through the model's organisation.
    Casework is scoped; reference data is not. Raw-id widgets are refused by ``check``: their
    label is read past any queryset, so they print another body's rows (use
    ``autocomplete_fields``, whose endpoint and labels go through the related admin).
    """

    organisation_path: str | tuple[str, ...] | None = _UNDECLARED  # type: ignore[assignment]
    scope_roles: tuple[str, ...] = access.EVERY_ROLE
    reference_fields: tuple[str, ...] = ()
    # Install-wide reference data (``organisation_path = None``) is written only by a
    # superuser (``access.may_change_install_wide_data``): staff of an organisation view
    # it, whatever permissions their role or a direct grant gives them. A shared register
    # that staff of every body keep together by design (suppliers, metrics datasets and
    # runs) says so here, with its own rule for who changes a row.
    staff_write_shared_rows: bool = False

    def _install_wide_and_locked(self, request) -> bool:
        return (
            self._organisation_path() is None
            and not self.staff_write_shared_rows
            and not access.may_change_install_wide_data(request.user)
        )

    def has_add_permission(self, request, *args, **kwargs):
        if self._install_wide_and_locked(request):
            return False
        return super().has_add_permission(request, *args, **kwargs)

    def has_change_permission(self, request, obj=None):
        if self._install_wide_and_locked(request):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._install_wide_and_locked(request):
            return False
        return super().has_delete_permission(request, obj)

    def check(self, *args, **kwargs):
        errors = super().check(*args, **kwargs)
        name = type(self).__name__
        if self.organisation_path is _UNDECLARED:
            errors.append(
                checks.Error(
                    f"{name} does not declare organisation_path",
                    hint="Name the lookup to the owning organisation, or None for "
                    "install-wide reference data.",
                    obj=type(self),
                    id="foiregister.E001",
                )
            )
        if getattr(self, "raw_id_fields", ()):
            errors.append(
                checks.Error(
                    f"{name} uses raw_id_fields, whose labels bypass the access gate",
                    hint="Use autocomplete_fields or a scoped select.",
                    obj=type(self),
                    id="foiregister.E002",
                )
            )
        return errors

    def _organisation_path(self):
        if self.organisation_path is _UNDECLARED:
            raise ImproperlyConfigured(f"{type(self).__name__} does not declare organisation_path")
        return self.organisation_path

    def get_queryset(self, request):
        return access.scoped(
            super().get_queryset(request),
            request.user,
            via=self._organisation_path(),
            roles=self.scope_roles,
        )

    def scoped_choices(self, db_field, request):
        """The rows a foreign-key or many-to-many field may offer ``request.user``, or None
        for a declared reference field."""
        if db_field.name in self.reference_fields:
            return None
        user = request.user
        related = db_field.related_model
        if related is Organisation:
            return access.organisations_of(user, roles=self.scope_roles).order_by("name")
        if related is get_user_model():
            return access.colleagues_of(user, roles=self.scope_roles)
        related_admin = self.admin_site._registry.get(related)
        if related_admin is not None:
            if not isinstance(related_admin, OrganisationScopedMixin):
                raise ImproperlyConfigured(
                    f"{type(self).__name__}.{db_field.name}: {type(related_admin).__name__} "
                    "is not scoped by the access gate"
                )
            return related_admin.get_queryset(request)
        path = organisation_path_of(related)
        if path is None:
            raise ImproperlyConfigured(
                f"{type(self).__name__}.{db_field.name} refers to {related._meta.label}, "
                "which belongs to no organisation: name it in reference_fields"
            )
        return access.scoped(
            related._default_manager.all(), user, via=path, roles=self.scope_roles
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            choices = self.scoped_choices(db_field, request)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            choices = self.scoped_choices(db_field, request)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedModelAdmin(OrganisationScopedMixin, admin.ModelAdmin):
    """The base of every staff screen: see ``OrganisationScopedMixin``.

    Django's admin log (``django_admin_log``, "Recent actions") is not written: its
    ``object_repr`` is ``str(obj)``, a requester's name or an email's subject, kept for
    ever, outside the scoped querysets and out of reach of the requester erasure. The
    kernel audit, written by the services, is the record of every change."""

    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None

    def log_deletion(self, request, obj, object_repr):
        return None

    def log_deletions(self, request, queryset):
        return None


class ScopedTabularInline(OrganisationScopedMixin, admin.TabularInline):
    pass


class ScopedStackedInline(OrganisationScopedMixin, admin.StackedInline):
    pass


@admin.register(Organisation)
class OrganisationAdmin(ScopedModelAdmin):
    """Organisations are reference data where a form refers to one (a CDC's host trust),
    but this screen edits them: only one's own."""

    organisation_path = "pk"
    list_display = ["name", "ods_code", "kind", "foi_email"]
    search_fields = ["name", "ods_code"]
    # Membership goes through the staff screen (foiregister.kernel.staff), which checks who
    # may bring whom into a body; a members picker here would bypass it and list every user.
    exclude = ["members"]
    # Taken under a row lock when a request is logged (services.log_request): an edit here
    # would reissue references or skip thousands, so nobody edits it, superusers included.
    readonly_fields = ["next_sequence"]

    def has_add_permission(self, request):
        """A new body joins the install by its operator: the list of organisations is
        install-wide (the public site lists it, and an ODS code names a real body), so
        an Administrator changes its own body's settings but adds none."""
        return access.may_change_install_wide_data(request.user) and super().has_add_permission(
            request
        )

    def save_model(self, request, obj, form, change):
        organisations.save_organisation(organisation=obj, by=request.user)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "members":
            # Every member of the user's organisations, whatever their role, so saving the
            # form never drops a member the picker did not list.
            kwargs["queryset"] = access.colleagues_of(request.user, roles=None)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyMixin, ScopedModelAdmin):
    organisation_path = None  # rows carry a text organisation id: the gate's own selector

    list_display = ["at", "actor", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "actor", "object_id"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def get_queryset(self, request):
        return access.audit_events_visible_to(request.user)
