"""Edit locking for admin change forms: optimistic, keyed on the audit log.

Two people open the same request (or contract) and both save: the second save is refused,
with a message saying what changed and by whom, and their own input stays in the form to
be compared and saved again. Nothing is lost and nobody is locked out.

The version of an object is the id of the newest audit row about it (and about the child
rows its page edits, ``lock_children``): every change goes through a service that audits
it, so no migration or version column is needed and the audit rows say who changed what.
The change form carries the version it was drawn at (a hidden field); on save the row is
locked (``select_for_update``, so two saves at once are taken in turn on PostgreSQL) and
the version read again; a newer one refuses the save. A form posted without the field
(a script, an old page) is not checked.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from .models import AuditEvent

VERSION_FIELD = "edit_version"


class EditLockMixin:
    """For a ``ScopedModelAdmin``: refuse a save when the object changed since the form was
    drawn. ``lock_children``: related names of rows edited on the same page (inlines)."""

    lock_children: tuple[str, ...] = ()

    def edit_lock_rows(self, obj: Any) -> QuerySet[AuditEvent]:
        condition = Q(object_type=obj._meta.label, object_id=str(obj.pk))
        for name in self.lock_children:
            related = getattr(obj, name)
            ids = [str(pk) for pk in related.values_list("pk", flat=True)]
            if ids:
                condition |= Q(object_type=related.model._meta.label, object_id__in=ids)
        return AuditEvent.objects.filter(condition)

    def edit_version(self, obj: Any) -> int:
        return self.edit_lock_rows(obj).aggregate(latest=Max("id"))["latest"] or 0

    def edit_conflict_message(self, obj: Any, *, since: int) -> str:
        changes = []
        for row in self.edit_lock_rows(obj).filter(id__gt=since).order_by("id"):
            fields = ", ".join(str(k).replace("_", " ") for k in (row.changes or {}))
            what = f"{row.action}{f' ({fields})' if fields else ''}"
            at = timezone.localtime(row.at).strftime("%H:%M")
            changes.append(f"{row.actor} at {at}: {what}")
        return (
            f"Not saved: this {obj._meta.verbose_name} was changed since you opened it. "
            + "; ".join(changes)
            + ". Your changes are still in the form below: compare them with theirs, then "
            "save again."
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not fieldsets:
            return fieldsets
        name, options = fieldsets[0]
        fields = list(options.get("fields", ()))
        if VERSION_FIELD in fields:
            return fieldsets
        return [(name, {**options, "fields": [*fields, VERSION_FIELD]}), *fieldsets[1:]]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            return super().get_form(request, obj, change=change, **kwargs)
        admin = self
        base = kwargs.pop("form", self.form)

        class EditLockedForm(base):
            edit_version = forms.IntegerField(
                widget=forms.HiddenInput, required=False, initial=admin.edit_version(obj)
            )

            def clean(self):
                cleaned = super().clean()
                seen = self.cleaned_data.get(VERSION_FIELD)
                if seen is None or self.instance.pk is None:
                    return cleaned
                model = type(self.instance)
                # Take saves of this object in turn (PostgreSQL; SQLite writes one at a time).
                list(model._default_manager.select_for_update().filter(pk=self.instance.pk))
                current = admin.edit_version(self.instance)
                if seen < current:
                    data = self.data.copy()
                    data[self.add_prefix(VERSION_FIELD)] = str(current)
                    self.data = data  # saving again after reading the message goes through
                    raise ValidationError(
                        admin.edit_conflict_message(self.instance, since=seen),
                        code="edit_conflict",
                    )
                return cleaned

        EditLockedForm.__name__ = base.__name__
        return super().get_form(request, obj, change=change, form=EditLockedForm, **kwargs)
