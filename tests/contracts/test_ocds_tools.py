"""The export as the Open Contracting Partnership's tools see it: libcoveocds 0.17 on the
official 1.1.5 schema (shipped in ``contracts/schema/ocds-1.1.5``), and ``ocdskit compile``,
whose compiled release must give every contract the end date the register shows."""

import datetime
import json
from io import StringIO

import pytest
import requests.adapters
from django.core.management import call_command

from contracts import selectors, services
from contracts.models import Contract
from demo import contracts as demo
from tests.factories import TEST_DATA
from tests.factories import contracts as f

from .ocds_tools import compiled_end_date, libcoveocds_problems, ocdskit_compile

D = datetime.date


@pytest.fixture(autouse=True)
def no_web(monkeypatch):
    """Any HTTP request from libcoveocds (or anything else) fails the test."""

    def refuse(self, request, *args, **kwargs):
        raise AssertionError(f"web access attempted: {request.url}")

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", refuse)


@pytest.fixture
def demo_register(organisation, other_organisation, commissioner, settings):
    settings.OCDS_PREFIX = "ocds-abc123"
    demo.load(by=commissioner, organisations={"QNC": organisation, "RNA": other_organisation})


def _export(*args) -> dict:
    out = StringIO()
    call_command("export_ocds", *args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


def _end_dates_the_register_shows(package) -> dict[str, str | None]:
    shown = {}
    for contract in Contract.objects.select_related("organisation"):
        ocid = f"ocds-abc123-{contract.organisation.ods_code}-{contract.reference}"
        end = contract.current_end_date
        shown[ocid] = f"{end.isoformat()}T00:00:00Z" if end else None
    return {ocid: shown[ocid] for ocid in {r["ocid"] for r in package["releases"]}}


def test_demo_export_passes_libcoveocds_and_compiles_to_the_register(demo_register):
    """One test for both exports, public and ``--include-private``, as loading the demo is
    the slow part."""
    for args in ((), ("--include-private",)):
        package = _export(*args)

        compiled = ocdskit_compile(package)

        assert libcoveocds_problems(package) == {}, args
        assert {o: compiled_end_date(c) for o, c in compiled.items()} == (
            _end_dates_the_register_shows(package)
        ), args
        assert "contractAmendment" in {t for r in package["releases"] for t in r["tag"]}
        # The Cobalt contract: extended to 31 July 2029, then a variation dated before it.
        cobalt = compiled["ocds-abc123-RNA-DGFT-INS-005"]["contracts"][0]
        assert cobalt["period"]["endDate"] == "2029-07-31T00:00:00Z"
        assert len(cobalt["amendments"]) == 2


def test_compiled_end_date_follows_an_extension_on_a_contract_with_no_start_date(
    organisation, settings
):
    """The award release used to be dated when the row was written, after the extension's
    effective date, so merging applied the stale award last."""
    settings.OCDS_PREFIX = "ocds-abc123"
    contract = f.contract(
        organisation=organisation,
        reference="NO-START",
        is_public=True,
        start_date=None,
        end_date=D(2026, 3, 31),
    )
    services.record_contract_change(
        contract,
        kind="extension",
        effective_on=D(2026, 3, 1),
        new_end_date=D(2027, 3, 31),
        reason="Option exercised",
        by=TEST_DATA,
    )

    compiled = ocdskit_compile(selectors.ocds_release_package())

    assert compiled_end_date(compiled["ocds-abc123-QNC-NO-START"]) == "2027-03-31T00:00:00Z"


def test_compiled_end_date_after_a_back_dated_variation(organisation, settings):
    """Extension to 31 Mar 2028 (effective 1 Dec 2026), then a variation recorded later but
    effective 1 Sep 2026 moving the end to 30 Sep 2027: in effective order the extension is
    the last word, so the register and the compiled release both say 31 Mar 2028."""
    settings.OCDS_PREFIX = "ocds-abc123"
    contract = f.contract(
        organisation=organisation, reference="BACK", is_public=True, end_date=D(2027, 3, 31)
    )
    for kind, effective, end in (
        ("extension", D(2026, 12, 1), D(2028, 3, 31)),
        ("variation", D(2026, 9, 1), D(2027, 9, 30)),
    ):
        services.record_contract_change(
            contract,
            kind=kind,
            effective_on=effective,
            new_end_date=end,
            reason="Recorded",
            by=TEST_DATA,
        )
    contract.refresh_from_db()

    compiled = ocdskit_compile(selectors.ocds_release_package())

    assert contract.current_end_date == D(2028, 3, 31)
    assert compiled_end_date(compiled["ocds-abc123-QNC-BACK"]) == "2028-03-31T00:00:00Z"
    assert libcoveocds_problems(selectors.ocds_release_package()) == {}


def test_libcoveocds_flags_a_publication_policy_that_is_not_a_uri(organisation):
    """The check has teeth: the text the export used to send is refused by the official
    schema once format checking is on."""
    f.contract(organisation=organisation, is_public=True)
    package = selectors.ocds_release_package()
    package["publicationPolicy"] = "Only contracts their commissioners have marked public."

    problems = libcoveocds_problems(package)

    assert [e["path"] for e in problems["validation_errors"]] == ["publicationPolicy"]
