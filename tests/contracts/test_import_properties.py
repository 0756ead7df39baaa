"""Property-based tests of the register imports (Hypothesis): for any valid file, importing
it again changes nothing; for any valid file with one bad cell, the error names that line
and column and nothing is written."""

import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from contracts import imports
from contracts.models import Contract, Supplier
from foiregister.kernel.models import AuditEvent
from tests.factories import TEST_DATA
from tests.factories.foiregister import OrganisationFactory

HEADER = ["reference", "supplier", "title", "kind", "payment_basis", "categories", "value",
          "start_date", "end_date"]  # fmt: skip
KINDS = ["independent_sector", "insourcing", "outsourced_reporting"]
BASES = ["annual", "activity_at_tariff", "cost_per_case"]
CATEGORIES = ["mri", "ct", "nous", "neurophysiology", "ophthalmology"]
SUPPLIERS = ["Diagnostic Healthcare Ltd", "Harmonic Medical", "MediServices", "Scan Co"]
BAD_CELLS = {
    "start_date": "31/02/2025",
    "value": "lots",
    "kind": "magic",
    "categories": "astrology",
}


@st.composite
def contract_rows(draw):
    n = draw(st.integers(min_value=1, max_value=8))
    refs = draw(st.lists(st.integers(1, 9999), min_size=n, max_size=n, unique=True))
    rows = []
    for ref in refs:
        start = draw(st.dates(datetime.date(2018, 1, 1), datetime.date(2026, 12, 31)))
        end = start + datetime.timedelta(days=draw(st.integers(1, 3650)))
        value = draw(st.decimals(0, 10**8, places=2, allow_nan=False, allow_infinity=False))
        basis = draw(st.sampled_from(BASES))
        if basis == "activity_at_tariff":
            value = Decimal(0)  # paid on activity at national tariff: a zero value
        rows.append(
            {
                "reference": f"P-{ref}",
                "supplier": draw(st.sampled_from(SUPPLIERS)),
                "title": draw(st.text(st.characters(categories=("L", "N", "Zs")), min_size=1,
                                      max_size=40).filter(str.strip)),
                "kind": draw(st.sampled_from(KINDS)),
                "payment_basis": basis,
                "categories": ";".join(draw(st.lists(st.sampled_from(CATEGORIES), min_size=1,
                                                     max_size=2, unique=True))),
                "value": str(Decimal(value).quantize(Decimal("0.01"))),
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
            }
        )  # fmt: skip
    return rows


def _csv(rows) -> bytes:
    def cell(value):
        value = str(value)
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n') else value

    lines = [",".join(HEADER)] + [",".join(cell(r[h]) for h in HEADER) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def _commit(content, organisation):
    return imports.commit(
        content=content, filename="contracts.csv", kind="contracts",
        organisation=organisation, by=TEST_DATA,
    )  # fmt: skip


PROPERTY = settings(max_examples=10, deadline=None)


class ImportProperties(TestCase):
    @PROPERTY
    @given(rows=contract_rows())
    def test_importing_the_same_file_again_changes_nothing(self, rows):
        organisation = OrganisationFactory()
        first = _commit(_csv(rows), organisation)
        assert first.ok and first.created == len(rows)
        audit_rows = AuditEvent.objects.count()
        contracts = sorted(
            Contract.objects.filter(organisation=organisation).values_list(
                "reference", "title", "value", "start_date", "end_date"
            )
        )
        again = _commit(_csv(rows), organisation)
        assert (again.created, again.updated, again.unchanged) == (0, 0, len(rows))
        assert AuditEvent.objects.count() == audit_rows
        assert (
            sorted(
                Contract.objects.filter(organisation=organisation).values_list(
                    "reference", "title", "value", "start_date", "end_date"
                )
            )
            == contracts
        )

    @PROPERTY
    @given(rows=contract_rows(), data=st.data())
    def test_one_bad_cell_is_named_and_nothing_is_written(self, rows, data):
        organisation = OrganisationFactory()
        index = data.draw(st.integers(0, len(rows) - 1))
        column = data.draw(st.sampled_from(sorted(BAD_CELLS)))
        rows[index][column] = BAD_CELLS[column]
        try:
            _commit(_csv(rows), organisation)
        except imports.ImportFailed as failed:
            errors = failed.result.errors
        else:
            raise AssertionError("a bad cell was imported")
        assert [(e.line, e.column) for e in errors] == [(index + 2, column)]
        assert errors[0].filename == "contracts.csv"
        assert not Contract.objects.filter(organisation=organisation).exists()
        assert not Supplier.objects.exists()
