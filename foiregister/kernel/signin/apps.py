from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    """The admin app, with ``admin.site`` a site that requires a second factor."""

    default_site = "foiregister.kernel.signin.site.StaffAdminSite"
