from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import views
from .feeds import NewResponsesFeed
from .sitemaps import SITEMAPS

app_name = "disclosure"

urlpatterns = [
    path("", views.disclosure_log, name="log"),
    path("responses/<slug:public_id>/", views.response_detail, name="response"),
    path("responses/<slug:public_id>/response.pdf", views.response_pdf, name="response_pdf"),
    path(
        "responses/<slug:public_id>/attachments/<int:position>/",
        views.response_attachment,
        name="attachment",
    ),
    path("feed/", NewResponsesFeed(), name="feed"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]
