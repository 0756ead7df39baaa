"""The disclosure log's search and filter form (GET, so results can be bookmarked)."""

from __future__ import annotations

from django import forms

from foiregister.requests.models import Request

from . import selectors


class DisclosureSearchForm(forms.Form):
    q = forms.CharField(label="Search responses", required=False, max_length=200)
    organisation = forms.ModelChoiceField(
        queryset=selectors.public_organisations(),
        required=False,
        empty_label="All organisations",
        to_field_name="ods_code",
    )
    published_from = forms.DateField(
        label="Published from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="For example, 2025-09-01",
    )
    published_to = forms.DateField(
        label="Published to",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="For example, 2025-12-31",
    )
    topic = forms.ChoiceField(required=False)
    regime = forms.ChoiceField(
        label="Type of request",
        required=False,
        choices=[("", "All types")] + [c for c in Request.Regime.choices if c[0] != "sar"],
    )
    outcome = forms.ChoiceField(
        required=False,
        choices=[("", "All outcomes")] + [c for c in Request.Outcome.choices if c[0]],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what has published responses is offered; an organisation chosen by a
        # bookmarked link still filters (the queryset above validates any public body).
        organisation = self.fields["organisation"]
        organisation.choices = [("", "All organisations")] + [
            (o.ods_code, o.name) for o in selectors.organisations_with_responses()
        ]
        self.fields["topic"].choices = [("", "All topics")] + [
            (t, t) for t in selectors.public_topics()
        ]
        offered = selectors.public_outcomes()
        asked = self.data.get("outcome", "") if self.is_bound else ""
        every = dict(c for c in Request.Outcome.choices if c[0])
        if asked in every and asked not in dict(offered):
            offered.append((asked, every[asked]))  # a bookmarked filter still validates
        self.fields["outcome"].choices = [("", "All outcomes")] + offered

    FILTERS = ("organisation", "published_from", "published_to", "topic", "regime", "outcome")

    def search_kwargs(self) -> dict:
        """What to search for: the fields that are valid (a mistyped date in a bookmarked
        link is reported and left out; the search words still apply)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        return {
            "q": data["q"] or "",
            "organisation": data["organisation"],
            "published_from": data["published_from"],
            "published_to": data["published_to"],
            "topic": data["topic"] or "",
            "regime": data["regime"] or "",
            "outcome": data["outcome"] or "",
        }

    def error_list(self) -> list[tuple[str, str]]:
        """(field id, message) for the error summary, each linking to its field."""
        if not self.is_bound:
            return []
        return [
            (self[name].id_for_label, f"{self[name].label}: {error}")
            for name in self.fields
            for error in self.errors.get(name, [])
        ]
