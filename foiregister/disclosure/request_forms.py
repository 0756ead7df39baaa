"""The public request form: what a requester fills in to make a request of an organisation
that takes requests through this site. Validation only; the request is received by
``intake.services.receive_web_request``."""

from __future__ import annotations

from django import forms

MAX_REQUEST_CHARS = 20_000


class PublicRequestForm(forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=200,
        help_text="The organisation needs a real name to answer a freedom of information "
        "request. It is never published.",
        error_messages={"required": "Enter your name"},
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="The organisation sends its reply here.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    address = forms.CharField(
        label="Postal address (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only if you would like the reply by post as well.",
    )
    text = forms.CharField(
        label="Your request",
        max_length=MAX_REQUEST_CHARS,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Describe the information you want. If you have several questions, number "
        "them (1. 2. 3.), one a line. You do not have to say why you want it.",
        error_messages={
            "required": "Enter the information you are asking for",
            "max_length": "Your request must be %(limit_value)s characters or fewer",
        },
    )
    # A field people never see (hidden by the stylesheet, out of the tab order, labelled
    # to leave empty for anyone who reaches it anyway); form-filling robots fill it in.
    website = forms.CharField(label="Leave this field empty", required=False)

    def is_spam(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def error_list(self) -> list[tuple[str, str]]:
        """(field id, message) for the error summary, in the page's order."""
        out = []
        for name in ("name", "email", "address", "text"):
            for error in self.errors.get(name, []):
                out.append((self[name].id_for_label, error))
        for error in self.non_field_errors():
            out.append(("", error))
        return out


class SuggestionsForm(forms.Form):
    """The text typed so far, for the published responses that may answer it (POST body,
    never the URL)."""

    text = forms.CharField(required=False, max_length=MAX_REQUEST_CHARS)
