"""The staff screen, in place of Django's stock ``UserAdmin``.

The stock screen offers superuser and staff status, permissions, every group and a form
that sets anyone's password; with ``auth.user`` change, an Administrator could make itself
FOI lead or superuser and read every requester (issue 12, item 1). Here the forms carry
only a person's name, email, active flag, organisation and the roles the acting user may
grant (``staff.roles_grantable_to``); every change goes through ``foiregister.kernel.staff``,
which enforces the rule and audits it. A password is set by its owner, from a reset email.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model

from . import staff
from .admin import NoDeleteMixin

User = get_user_model()

if admin.site.is_registered(User):
    admin.site.unregister(User)


class _RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class StaffAddForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(queryset=None)
    roles = _RolesField(required=False, help_text="Only the roles you may grant are offered.")
    acting_user = None

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        by = self.acting_user
        self.fields["email"].required = True
        organisations = staff.staff_organisations_of(by)
        self.fields["organisation"].queryset = organisations
        grantable = {
            r for org in organisations for r in staff.roles_grantable_by(by, organisation=org)
        }
        self.fields["roles"].choices = [(r, r) for r in staff.ROLES if r in grantable]

    def clean_username(self):
        """One neutral answer for a name held anywhere on the install: the stock "A user
        with that username already exists" would let an Administrator list the staff of
        every other organisation by trying names."""
        username = self.cleaned_data["username"]
        if staff.username_unavailable(username):
            raise forms.ValidationError(staff.USERNAME_UNAVAILABLE, code="unavailable")
        return username

    def _get_validation_exclusions(self):
        # The username's uniqueness is checked, neutrally, by clean_username.
        return {*super()._get_validation_exclusions(), "username"}

    def clean(self):
        cleaned = super().clean()
        org, roles = cleaned.get("organisation"), cleaned.get("roles") or []
        if org is not None:
            allowed = staff.roles_grantable_by(self.acting_user, organisation=org)
            for role in roles:
                if role not in allowed:
                    self.add_error("roles", f"You may not grant {role} in {org}.")
        return cleaned


class StaffChangeForm(forms.ModelForm):
    roles = _RolesField(required=False, help_text="Only the roles you may grant are offered.")
    acting_user = None

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grantable = staff.roles_grantable_to(self.instance, by=self.acting_user)
        self.fields["roles"].choices = [(r, r) for r in grantable]
        self.fields["roles"].initial = [r for r in grantable if r in staff.roles_of(self.instance)]


class StaffAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_active", "roles_held"]
    search_fields = ["username", "first_name", "last_name", "email"]
    list_filter = ["is_active"]
    ordering = ["username"]
    actions = ["send_password_reset"]

    def get_queryset(self, request):
        return staff.staff_visible_to(request.user).prefetch_related("groups")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["username", "first_name", "last_name", "email", "organisation", "roles"]
        fields = ["username", "first_name", "last_name", "email", "is_active"]
        if self.has_change_permission(request, obj):
            fields.append("roles")
        return [*fields, "roles_held", "last_login", "date_joined"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        readonly = ["username", "roles_held", "last_login", "date_joined"]
        if not staff.may_manage(obj, by=request.user):
            # e.g. a lead granting FOI officer to a Commissioner: the roles, not the account.
            readonly += ["first_name", "last_name", "email", "is_active"]
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = StaffChangeForm if obj is not None else StaffAddForm
        kwargs["form"] = type(base.__name__, (base,), {"acting_user": request.user})
        return super().get_form(request, obj, change=change, **kwargs)

    def has_add_permission(self, request):
        return (
            super().has_add_permission(request)
            and staff.staff_organisations_of(request.user).exists()
        )

    def has_change_permission(self, request, obj=None):
        """The account (``may_manage``) or at least one of the person's roles."""
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        return staff.may_manage(obj, by=request.user) or bool(
            staff.roles_grantable_to(obj, by=request.user)
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            user = staff.create_staff_member(
                organisation=data["organisation"],
                username=data["username"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                by=request.user,
            )
            obj.pk = user.pk
            obj._state.adding = False
            obj._state.db = user._state.db
            organisation = data["organisation"]
        else:
            user = User.objects.get(pk=obj.pk)
            if staff.may_manage(user, by=request.user):
                staff.update_staff_account(
                    user=user, by=request.user, **{f: data[f] for f in staff.ACCOUNT_FIELDS}
                )
            organisation = (
                staff.staff_organisations_of(request.user).filter(members=user).first()
                or user.organisations.first()
            )
        staff.set_roles(
            user=user, roles=data.get("roles") or [], organisation=organisation, by=request.user
        )

    def save_related(self, request, form, formsets, change):
        """Nothing: the form has no relations, and roles were saved through the service."""

    @admin.display(description="Roles held")
    def roles_held(self, obj):
        return ", ".join(sorted(g.name for g in obj.groups.all())) or "-"

    @admin.action(description="Send a password reset email")
    def send_password_reset(self, request, queryset):
        sent, refused = 0, []
        for user in queryset:
            try:
                if staff.send_password_reset(
                    user=user,
                    by=request.user,
                    domain=request.get_host(),
                    use_https=request.is_secure(),
                ):
                    sent += 1
            except staff.StaffRuleBroken as exc:
                refused.append(exc.message)
        if sent:
            self.message_user(request, f"Sent {sent} password reset email(s).")
        for message in refused:
            self.message_user(request, message, messages.ERROR)


admin.site.register(User, StaffAdmin)
