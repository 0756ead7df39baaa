from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import info_views, request_views, statistics_views, views
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
    path("feeds/", info_views.feeds, name="feeds"),
    path("organisations/", info_views.organisations, name="organisations"),
    path("organisations/<slug:ods_code>/", info_views.organisation, name="organisation"),
    # The public request form, for organisations that turned it on (404 otherwise).
    path(
        "organisations/<slug:ods_code>/request/",
        request_views.request_form,
        name="request_form",
    ),
    path(
        "organisations/<slug:ods_code>/request/suggestions/",
        request_views.request_suggestions,
        name="request_suggestions",
    ),
    path(
        "organisations/<slug:ods_code>/request/sent/<str:token>/",
        request_views.request_sent,
        name="request_sent",
    ),
    path("accessibility/", info_views.accessibility, name="accessibility"),
    path("privacy/", info_views.privacy, name="privacy"),
    # Browsers ask for /favicon.ico whatever the page links.
    path("favicon.ico", info_views.favicon, name="favicon"),
    # Quarterly FOI statistics (counts only), per organisation, HTML and CSV.
    path("statistics/", statistics_views.statistics_index, name="statistics"),
    path(
        "statistics/<str:ods_code>/",
        statistics_views.organisation_statistics,
        name="organisation_statistics",
    ),
    path(
        "statistics/<str:ods_code>.csv",
        statistics_views.organisation_statistics_csv,
        name="organisation_statistics_csv",
    ),
    # An index of sections: a sitemap file holds at most 5,000 responses here (50,000 by
    # the protocol), so a large log is listed over several pages of its section.
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "disclosure:sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<slug:section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
]
