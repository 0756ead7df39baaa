"""Filters for the public registers (GET, so a filtered register can be bookmarked and
downloaded as CSV with the same query)."""

from __future__ import annotations

from django import forms

from contracts.models import CommunityDiagnosticCentre, Contract

from . import registers


class ContractRegisterForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=registers.public_contract_organisations(),
        required=False,
        empty_label="All organisations",
        to_field_name="ods_code",
    )
    kind = forms.ChoiceField(
        label="Kind of contract",
        required=False,
        choices=[("", "All kinds")] + list(Contract.Kind.choices),
    )
    category = forms.ChoiceField(label="Modality or specialty", required=False)
    status = forms.ChoiceField(
        required=False, choices=[("", "All statuses")] + list(Contract.Status.choices)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = registers.public_contract_organisations()
        self.fields["category"].choices = [
            ("", "All modalities and specialties")
        ] + registers.public_contract_categories()

    def filter_kwargs(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "organisation": data["organisation"],
            "kind": data["kind"] or "",
            "category": data["category"] or "",
            "status": data["status"] or "",
        }


class CdcRegisterForm(forms.Form):
    icb = forms.ModelChoiceField(
        label="ICB",
        queryset=registers.public_cdc_icbs(),
        required=False,
        empty_label="All ICBs",
        to_field_name="ods_code",
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", "All statuses")] + list(CommunityDiagnosticCentre.Status.choices),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["icb"].queryset = registers.public_cdc_icbs()

    def filter_kwargs(self) -> dict:
        if not self.is_valid():
            return {}
        return {"icb": self.cleaned_data["icb"], "status": self.cleaned_data["status"] or ""}
