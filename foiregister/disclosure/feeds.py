"""An Atom feed of newly published responses, from the public gate."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from . import selectors


class NewResponsesFeed(Feed):
    feed_type = Atom1Feed
    title = "FOI disclosure log: new responses"
    subtitle = "Responses to freedom of information requests, as published."

    def link(self):
        return reverse("disclosure:log")

    def items(self):
        return selectors.public_disclosure_log().order_by("-published_at", "-id")[:50]

    def item_title(self, item):
        return f"{item.reference}: {item.title}"

    def item_description(self, item):
        return item.summary or f"Response by {item.organisation.name}."

    def item_link(self, item):
        return reverse("disclosure:response", args=[item.public_id])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at

    def item_author_name(self, item):
        return item.organisation.name
