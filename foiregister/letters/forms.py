"""Forms for the letter screens; they validate shape, services validate meaning."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django import forms

from foiregister.requests.models import Exemption, Question, Request

from .blocks import REGISTRY, LiveBlock, Param, block_choices
from .exceptions import BlockError
from .models import AnswerBlock, Letter


def block_help() -> str:
    lines = []
    for key, block in sorted(REGISTRY.items()):
        params = ", ".join(
            f"{p.name} ({p.kind}{'' if p.required else ', optional'})" for p in block.params
        )
        lines.append(f"{key}: {params}")
    return "Parameters as JSON. " + "; ".join(lines)


class AnswerBlockForm(forms.ModelForm):
    block_type = forms.ChoiceField(choices=())
    params = forms.JSONField(help_text="", initial=dict)

    class Meta:
        model = AnswerBlock
        fields = ["question", "position", "block_type", "params"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["block_type"].choices = block_choices()
        self.fields["params"].help_text = block_help()
        if self.instance.pk:
            self.fields["block_type"].disabled = True
            self.fields["question"].disabled = True


class LetterForm(forms.ModelForm):
    class Meta:
        model = Letter
        fields = [
            "request",
            "kind",
            "corrects",
            "body",
            "fee_amount",
            "pit_estimate_on",
            "review_decision",
        ]


class RequestChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.reference}: {obj.title} ({obj.organisation})"


class BatchIssueForm(forms.Form):
    """Start a batch: the source whose answers are copied, the requests of its round robin
    (``selectors.round_robin_of``: linked as one, or asking the same questions in the
    starter's other organisations), the letter date, and for a lead whether to approve
    the letters of the organisations they lead."""

    source_request = forms.ModelChoiceField(
        queryset=Request.objects.none(), label="Source request (its answers are copied)"
    )
    requests = RequestChoices(
        queryset=Request.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Requests of its round robin",
    )
    issued_on = forms.DateField(
        required=False,
        label="Letter date",
        help_text="Optional. Default: the day each letter is issued.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    approve_own = forms.BooleanField(
        required=False,
        label="Approve my organisations' letters",
        help_text="As an FOI lead, approve the letters of the organisations you lead as they "
        "are drafted. The other organisations' letters wait for their own lead.",
    )

    def __init__(self, *args, sources=None, requests=None, may_approve=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_request"].queryset = (
            sources if sources is not None else Request.objects.none()
        )
        self.fields["requests"].queryset = (
            requests if requests is not None else Request.objects.none()
        )
        if not may_approve:
            del self.fields["approve_own"]


def pretty(params) -> str:
    return json.dumps(params, indent=1, sort_keys=True)


# -- the response workspace: ordinary fields, never ids or JSON --------------------------


def financial_year_choices(today: datetime.date, *, years: int = 8) -> list[tuple[str, str]]:
    """The current financial year and the ``years - 1`` before it, newest first."""
    start = today.year if today.month >= 4 else today.year - 1
    return [
        (f"{y}/{(y + 1) % 100:02d}", f"{y}/{(y + 1) % 100:02d}")
        for y in range(start, start - years, -1)
    ]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _param_field(param: Param, *, today: datetime.date, organisation=None) -> forms.Field:
    common = {"label": param.label, "required": param.required, "help_text": param.help}
    if param.kind == "date":
        return forms.DateField(widget=DateInput(), **common)
    if param.kind == "financial_year":
        common["help_text"] = ""
        return forms.ChoiceField(choices=financial_year_choices(today), **common)
    if param.kind == "choice":
        choices = param.form_choices(organisation)
        if not param.required:
            choices = [("", "---------"), *choices]
        return forms.ChoiceField(choices=choices, **common)
    if param.kind == "choices":
        return forms.MultipleChoiceField(
            choices=param.form_choices(organisation), widget=forms.CheckboxSelectMultiple, **common
        )
    return forms.CharField(**common)


class BlockParamsForm(forms.Form):
    """A live block's parameters as ordinary fields made from its ``Param`` list: date
    pickers, choice lists, defaults filled. The block's own ``clean`` has the last word,
    and its error lands on the field it names."""

    def __init__(self, *args, block: LiveBlock, today: datetime.date, organisation=None, **kwargs):
        initial = {**block.initial(today), **(kwargs.pop("initial", None) or {})}
        super().__init__(*args, initial=initial, **kwargs)
        self.block = block
        for param in block.params:
            self.fields[param.name] = _param_field(param, today=today, organisation=organisation)
        self.params: dict[str, Any] = {}

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        raw = {
            name: value.isoformat() if isinstance(value, datetime.date) else value
            for name, value in data.items()
        }
        try:
            self.params = self.block.clean(raw)
        except BlockError as exc:
            field = exc.field if exc.field in self.fields else None
            self.add_error(field, exc.message)
        return data


class BlockTypeForm(forms.Form):
    """The menu of block types, by title."""

    block_type = forms.ChoiceField(label="Add a live block", choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["block_type"].choices = block_choices()


class AnswerForm(forms.Form):
    """One question's answer on the workspace. The exemptions are one compact list, asked
    for only when the answer kind is "exempt"; the link only for "available elsewhere"."""

    answer_kind = forms.ChoiceField(
        label="Answer kind", choices=Question.AnswerKind.choices, required=False
    )
    standard_wording = forms.CharField(
        label="Standard wording",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The wording for this kind of answer, printed first; edit it for this "
        "question, or empty it to go back to the organisation's wording.",
    )
    wording_kind = forms.CharField(required=False, widget=forms.HiddenInput)
    answer = forms.CharField(
        label="Your answer",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Printed after the standard wording for the kind, before the live blocks.",
    )
    elsewhere_url = forms.URLField(label="Link (s.21)", required=False, assume_scheme="https")
    exemptions = forms.ModelMultipleChoiceField(
        label="Exemptions applied",
        queryset=Exemption.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Hold Ctrl (Cmd on a Mac) to choose more than one.",
    )
    public_interest_reasoning = forms.CharField(
        label="Public interest reasoning",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed for a qualified exemption.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exemptions"].queryset = Exemption.objects.order_by("id")

    def clean(self):
        data = super().clean()
        kind = data.get("answer_kind") or ""
        if kind != Question.AnswerKind.EXEMPT:
            data["exemptions"] = []
            data["public_interest_reasoning"] = ""
        if kind != Question.AnswerKind.ELSEWHERE:
            data["elsewhere_url"] = ""
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "answer_kind": data.get("answer_kind") or "",
            "answer": data.get("answer") or "",
            "elsewhere_url": data.get("elsewhere_url") or "",
            "public_interest_reasoning": data.get("public_interest_reasoning") or "",
            "exemption_codes": [e.code for e in data.get("exemptions") or []],
        }

    def wording_edit(self) -> str | None:
        """The edited standard wording, if it was written for the kind now chosen (without
        the page's script the box still holds the previous kind's wording: ignored)."""
        data = self.cleaned_data
        if (data.get("wording_kind") or "") != (data.get("answer_kind") or ""):
            return None
        return data.get("standard_wording") or ""


class CommentForm(forms.Form):
    comment = forms.CharField(
        label="Comment", widget=forms.Textarea(attrs={"rows": 3}), required=True
    )
