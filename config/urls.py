from django.contrib import admin
from django.urls import include, path

from foiregister.kernel.health import health

urlpatterns = [
    path("health/", health, name="health"),
    # Password reset by email, before the admin's own catch-all.
    path("admin/", include("foiregister.kernel.signin.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("foiregister.api.urls")),
    path("registers/", include("foiregister.disclosure.register_urls")),
    # A department contact's questions, by the signed link in its email (issue 13).
    path("contribute/", include("foiregister.requests.contribute")),
    path("", include("foiregister.disclosure.urls")),
]
