"""A new commissioner's paths through the register screens: what they type is what a person
types (a month, a year, a date), the pages link to the next step, and no address a person can
reach answers with a server error."""

import datetime
from decimal import Decimal

from django.urls import reverse

from contracts.models import CdcActivity, ContractSpend
from tests.factories import contracts as f

D = datetime.date


def test_expiring_view_with_an_unreadable_date_says_so_instead_of_failing(
    commissioner_client, organisation
):
    f.contract(organisation=organisation, reference="IN-3M", end_date=D(2026, 3, 31))

    response = commissioner_client.get(
        reverse("admin:contracts_contract_expiring"), {"today": "31/02/2026"}
    )

    assert response.status_code == 200
    assert b"31/02/2026" in response.content
    assert b"is not a date" in response.content


def test_contract_page_shows_the_last_day_to_give_notice(commissioner_client, organisation):
    """90 days' notice before 31 March 2029 is 31 December 2028 (counted by hand)."""
    contract = f.contract(
        organisation=organisation, end_date=D(2029, 3, 31), notice_period_days=90
    )

    response = commissioner_client.get(
        reverse("admin:contracts_contract_change", args=[contract.pk])
    )

    assert b"Last day to give notice" in response.content
    assert b"31 Dec 2028" in response.content


def _activity_form(cdc, month):
    return {
        "cdc": cdc.pk,
        "modality": "ct",
        "month": month,
        "planned": "1300",
        "actual": "1180",
        "source": "SUS extract",
    }


def test_cdc_activity_month_is_typed_as_a_month(commissioner_client, organisation):
    cdc = f.cdc(icb=organisation)

    response = commissioner_client.post(
        reverse("admin:contracts_cdcactivity_add"), _activity_form(cdc, "October 2026")
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    row = CdcActivity.objects.get(cdc=cdc)
    assert (row.month, row.planned, row.actual) == (D(2026, 10, 1), 1300, 1180)


def test_cdc_activity_month_picker_value_and_a_mid_month_date_are_that_month(
    commissioner_client, organisation
):
    cdc = f.cdc(icb=organisation)

    picked = commissioner_client.post(
        reverse("admin:contracts_cdcactivity_add"), _activity_form(cdc, "2026-09")
    )
    dated = commissioner_client.post(
        reverse("admin:contracts_cdcactivity_add"),
        _activity_form(cdc, "15/08/2026") | {"modality": "mri"},
    )

    assert picked.status_code == 302 and dated.status_code == 302
    assert sorted(CdcActivity.objects.values_list("month", flat=True)) == [
        D(2026, 8, 1),
        D(2026, 9, 1),
    ]


def test_cdc_activity_month_that_is_not_a_month_names_the_field(commissioner_client, organisation):
    cdc = f.cdc(icb=organisation)

    response = commissioner_client.post(
        reverse("admin:contracts_cdcactivity_add"), _activity_form(cdc, "Octember")
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "month" in errors
    assert "Octember" in errors["month"][0]
    assert not CdcActivity.objects.exists()


def test_cdc_page_links_to_recording_its_activity(commissioner_client, organisation):
    cdc = f.cdc(icb=organisation)

    page = commissioner_client.get(
        reverse("admin:contracts_communitydiagnosticcentre_change", args=[cdc.pk])
    )
    add = reverse("admin:contracts_cdcactivity_add") + f"?cdc={cdc.pk}"
    form = commissioner_client.get(add)

    assert add.encode() in page.content.replace(b"&amp;", b"&")
    assert form.context["adminform"].form.initial["cdc"] == str(cdc.pk)


def test_spend_is_added_from_the_contract_page_without_inventing_a_reference(
    commissioner_client, organisation
):
    contract = f.contract(organisation=organisation, reference="IS-10")
    page = commissioner_client.get(reverse("admin:contracts_contract_change", args=[contract.pk]))
    add = reverse("admin:contracts_contractspend_add") + f"?contract={contract.pk}"
    form = commissioner_client.get(add)

    saved = commissioner_client.post(
        add,
        {
            "organisation": organisation.pk,
            "reference": "",
            "contract": contract.pk,
            "supplier": "",
            "category": "",
            "kind": "independent_sector",
            "financial_year": "2026/27",
            "amount": "312500",
            "basis": "forecast",
            "source": "budget plan",
        },
    )

    assert add.encode() in page.content.replace(b"&amp;", b"&")
    initial = form.context["adminform"].form.initial
    assert initial["contract"] == str(contract.pk)
    assert str(initial["organisation"]) == str(organisation.pk)
    assert initial["kind"] == "independent_sector"
    assert saved.status_code == 302, saved.content.decode()[:3000]
    spend = ContractSpend.objects.get(contract=contract)
    assert (spend.financial_year, spend.amount, spend.basis) == (
        "2026/27",
        Decimal("312500.00"),
        "forecast",
    )
    assert spend.reference  # made from the year, basis and contract
    listed = commissioner_client.get(
        reverse("admin:contracts_contract_change", args=[contract.pk])
    )
    assert b"2026/27" in listed.content and b"312,500" in listed.content


def test_adding_spend_that_is_already_recorded_does_not_overwrite_it(
    commissioner_client, organisation
):
    contract = f.contract(organisation=organisation, reference="IS-11")
    form = {
        "organisation": organisation.pk,
        "reference": "",
        "contract": contract.pk,
        "kind": "independent_sector",
        "financial_year": "2026/27",
        "amount": "100",
        "basis": "actual",
        "source": "ledger",
    }
    first = commissioner_client.post(reverse("admin:contracts_contractspend_add"), form)

    second = commissioner_client.post(
        reverse("admin:contracts_contractspend_add"), form | {"amount": "999"}
    )

    assert first.status_code == 302
    assert second.status_code == 200
    assert "already recorded" in str(second.context["adminform"].form.errors)
    assert ContractSpend.objects.get(contract=contract).amount == Decimal("100.00")


def test_ending_soon_says_who_is_warned_when_and_flags_contracts_nobody_is_warned_of(
    commissioner_client, organisation, commissioner, django_user_model
):
    silent = django_user_model.objects.create_user("silent", email="")
    f.contract(organisation=organisation, reference="OWNED", end_date=D(2026, 3, 31))
    f.contract(organisation=organisation, reference="ORPHAN", end_date=D(2026, 3, 31))
    f.contract(organisation=organisation, reference="NO-EMAIL", end_date=D(2026, 3, 31))
    from contracts.models import Contract

    Contract.objects.filter(reference="OWNED").update(owner=commissioner)
    Contract.objects.filter(reference="NO-EMAIL").update(owner=silent)

    page = commissioner_client.get(
        reverse("admin:contracts_contract_expiring"), {"today": "2026-01-15"}
    ).content.decode()

    assert "12, 6 and 3 months" in page and "emailed" in page
    rows = {
        ref: page[page.index(f">{ref}<") :].split("</tr>")[0]
        for ref in ("OWNED", "ORPHAN", "NO-EMAIL")
    }
    assert "nobody is warned" not in rows["OWNED"]
    assert "no owner: nobody is warned" in rows["ORPHAN"]
    assert "no email address: nobody is warned" in rows["NO-EMAIL"]


def _contract_form(organisation, supplier, **overrides):
    return {
        "organisation": organisation.pk,
        "reference": "IS-DATES",
        "supplier": supplier.pk,
        "title": "Community MRI",
        "categories": ["mri"],
        "kind": "independent_sector",
        "status": "active",
        "payment_basis": "annual",
        "value": "1250000",
        "procurement_route": "psr_competitive",
        "changes-TOTAL_FORMS": "0",
        "changes-INITIAL_FORMS": "0",
        "warnings-TOTAL_FORMS": "0",
        "warnings-INITIAL_FORMS": "0",
    } | overrides


def test_contract_dates_may_be_written_out(commissioner_client, organisation):
    from contracts.models import Contract

    supplier = f.supplier()

    response = commissioner_client.post(
        reverse("admin:contracts_contract_add"),
        _contract_form(organisation, supplier, start_date="1 April 2026", end_date="31 Mar 2029"),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    contract = Contract.objects.get(reference="IS-DATES")
    assert (contract.start_date, contract.end_date) == (D(2026, 4, 1), D(2029, 3, 31))


def test_a_date_that_cannot_be_read_says_what_a_date_looks_like(commissioner_client, organisation):
    supplier = f.supplier()

    response = commissioner_client.post(
        reverse("admin:contracts_contract_add"),
        _contract_form(organisation, supplier, end_date="31/02/2029"),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["end_date"] == [
        "Enter a date such as 31/03/2029 or 31 March 2029."
    ]


def test_supplier_picker_shows_a_placeholder_so_it_has_a_name(commissioner_client):
    page = commissioner_client.get(reverse("admin:contracts_contract_add")).content.decode()

    select = page[page.index('<select name="supplier"') :].split(">")[0]
    assert 'data-placeholder="Type part of the supplier&#x27;s name"' in select


def test_import_page_lists_each_files_columns_and_offers_a_template(commissioner_client):
    from contracts import imports

    page = commissioner_client.get(reverse("admin:contracts_contract_import")).content.decode()
    template = commissioner_client.get(
        reverse("admin:contracts_contract_import_template", args=["cdc_activity"])
    )

    assert "docs/contracts.md" not in page  # a file in the repository is no help in a browser
    for kind in ("contracts", "spend", "cdc_activity"):
        assert reverse("admin:contracts_contract_import_template", args=[kind]) in page
    assert "payment_basis" in page and "financial_year" in page
    assert template.status_code == 200
    assert template["Content-Type"].startswith("text/csv")
    assert template.content.decode().splitlines()[0] == ",".join(imports.ACTIVITY_COLUMNS)


def test_import_template_of_an_unknown_kind_is_not_found(commissioner_client):
    response = commissioner_client.get(
        reverse("admin:contracts_contract_import_template", args=["passwords"])
    )

    assert response.status_code == 404


def test_an_foi_officer_who_may_only_read_the_registers_cannot_commit_an_import(
    commissioner_client, foi_officer_client, organisation
):
    """FOI officers read the registers (letters quote them) but do not keep them: a
    previewed import a commissioner left waiting is not theirs to write."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from contracts.models import Contract, ImportJob

    content = (
        b"reference,supplier,title,kind,payment_basis\nA-1,Cobalt,CT,insourcing,cost_per_case\n"
    )
    commissioner_client.post(
        reverse("admin:contracts_contract_import"),
        {
            "organisation": organisation.pk,
            "kind": "contracts",
            "file": SimpleUploadedFile("contracts.csv", content, content_type="text/csv"),
        },
    )
    job = ImportJob.objects.get()

    response = foi_officer_client.post(reverse("admin:contracts_importjob_commit", args=[job.pk]))
    page = foi_officer_client.get(reverse("admin:contracts_importjob_change", args=[job.pk]))

    assert response.status_code == 403
    job.refresh_from_db()
    assert job.status == "previewed" and not Contract.objects.exists()
    assert b"Import 1 rows" not in page.content


def test_contract_history_lists_its_extensions_and_terminations(
    commissioner_client, organisation, commissioner
):
    """The History button is where a person looks: it read only the admin's own log, so a
    change recorded through Record an extension... never appeared there."""
    from contracts import services

    contract = f.contract(organisation=organisation, end_date=D(2027, 3, 31))
    services.record_contract_change(
        contract,
        kind="extension",
        effective_on=D(2027, 3, 1),
        new_end_date=D(2028, 3, 31),
        reason="Option 1 exercised",
        by=commissioner,
    )

    page = commissioner_client.get(
        reverse("admin:contracts_contract_history", args=[contract.pk])
    ).content.decode()

    assert "Extension" in page and "Option 1 exercised" in page
    assert "2028-03-31" in page or "31 Mar 2028" in page


def test_add_spend_for_another_organisations_contract_fills_in_nothing(
    commissioner_client, other_organisation
):
    theirs = f.contract(organisation=other_organisation, reference="THEIRS-1", kind="insourcing")

    form = commissioner_client.get(
        reverse("admin:contracts_contractspend_add") + f"?contract={theirs.pk}"
    )

    initial = form.context["adminform"].form.initial
    assert "contract" not in initial and "kind" not in initial and "supplier" not in initial
    assert b"THEIRS-1" not in form.content


def test_contract_history_reads_in_words_not_codes(commissioner_client, organisation):
    contract = f.contract(
        organisation=organisation,
        kind="independent_sector",
        categories=["ct", "mri"],
        end_date=D(2029, 3, 31),
    )

    page = commissioner_client.get(
        reverse("admin:contracts_contract_history", args=[contract.pk])
    ).content.decode()

    assert "Independent sector" in page and "independent_sector" not in page
    assert "CT, MRI" in page and "[&#x27;ct&#x27;" not in page
    assert "31 Mar 2029" in page and "2029-03-31" not in page


def test_contract_history_names_suppliers_as_they_were_called(
    commissioner_client, organisation, commissioner
):
    """The audit stores the supplier's id; the History page gives its name at the time of
    the change, as the supplier's own history records it, not today's name or the id."""
    from contracts import services

    first = f.supplier(name="Quokka Imaging Ltd", by=commissioner)
    second = f.supplier(name="Wallaby Scanning Ltd", by=commissioner)
    contract = f.contract(organisation=organisation, supplier=first, by=commissioner)
    services.update_contract(contract, supplier=second, by=commissioner)
    services.update_supplier(second, name="Wallaby Diagnostics Group Ltd", by=commissioner)

    page = commissioner_client.get(
        reverse("admin:contracts_contract_history", args=[contract.pk])
    ).content.decode()

    assert "supplier: Quokka Imaging Ltd &rarr; Wallaby Scanning Ltd" in page
    assert f"&rarr; {second.pk}<" not in page and f": {first.pk} &rarr;" not in page


def test_contract_history_names_a_supplier_without_history_by_its_current_name(
    commissioner_client, organisation, commissioner
):
    from contracts import services
    from contracts.models import Supplier

    contract = f.contract(organisation=organisation, by=commissioner)
    unrecorded = Supplier.objects.create(name="Numbat Radiology Ltd", kind="other")
    services.update_contract(contract, supplier=unrecorded, by=commissioner)

    page = commissioner_client.get(
        reverse("admin:contracts_contract_history", args=[contract.pk])
    ).content.decode()

    assert "&rarr; Numbat Radiology Ltd" in page
