"""Forms for the letter screens; they validate shape, services validate meaning."""

from __future__ import annotations

import json

from django import forms

from foiregister.requests.models import Request

from .blocks import REGISTRY, block_choices
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


class BatchIssueForm(forms.Form):
    source_request = forms.ModelChoiceField(queryset=Request.objects.none())
    requests = forms.ModelMultipleChoiceField(
        queryset=Request.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    issued_on = forms.DateField(required=False, help_text="Default: the day each is issued.")

    def __init__(self, *args, requests=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = requests if requests is not None else Request.objects.none()
        self.fields["source_request"].queryset = qs
        self.fields["requests"].queryset = qs.filter(status__in=Request.OPEN_STATUSES)


def pretty(params) -> str:
    return json.dumps(params, indent=1, sort_keys=True)
