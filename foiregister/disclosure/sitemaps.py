"""The sitemap: the log, the public registers and each live response, from the public
gate."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from . import selectors


class DisclosureLogSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return [
            "disclosure:log",
            "registers:contracts",
            "registers:cdcs",
            "disclosure:organisations",
            "disclosure:feeds",
            "disclosure:accessibility",
            "disclosure:privacy",
        ]

    def location(self, item):
        return reverse(item)


class ResponseSitemap(Sitemap):
    changefreq = "yearly"
    limit = 5000

    def items(self):
        return selectors.public_disclosure_log().order_by("id")

    def location(self, item):
        return reverse("disclosure:response", args=[item.public_id])

    def lastmod(self, item):
        return item.published_at


class OrganisationSitemap(Sitemap):
    """Each organisation's page on how to make a request of it."""

    changefreq = "monthly"

    def items(self):
        return selectors.public_organisations()

    def location(self, item):
        return reverse("disclosure:organisation", args=[item.ods_code])


SITEMAPS = {
    "log": DisclosureLogSitemap,
    "responses": ResponseSitemap,
    "organisations": OrganisationSitemap,
}
