"""The commissioners' admin: scoped to their organisations, saves through services, the
expiring view and the import pages."""

import datetime
import json
from decimal import Decimal

from django.urls import reverse

from contracts import services
from contracts.models import CommunityDiagnosticCentre, Contract, ImportJob
from foiregister.kernel.audit import history_for
from tests.factories import TEST_DATA
from tests.factories import contracts as f
from tests.factories.foiregister import OrganisationFactory

D = datetime.date


def test_commissioner_sees_only_their_organisations_contracts(
    commissioner_client, organisation, other_organisation
):
    f.contract(organisation=organisation, reference="OURS-1")
    f.contract(organisation=other_organisation, reference="THEIRS-1")

    response = commissioner_client.get(reverse("admin:contracts_contract_changelist"))

    assert response.status_code == 200
    assert b"OURS-1" in response.content
    assert b"THEIRS-1" not in response.content


def test_commissioner_cannot_open_or_edit_another_organisations_contract(
    commissioner_client, other_organisation
):
    theirs = f.contract(organisation=other_organisation, reference="THEIRS-1")
    url = reverse("admin:contracts_contract_change", args=[theirs.pk])

    opened = commissioner_client.get(url)
    posted = commissioner_client.post(url, {"title": "Hijacked"})
    change = commissioner_client.post(
        reverse("admin:contracts_contract_record_change", args=[theirs.pk]),
        {"kind": "termination", "effective_on": "2025-01-01", "reason": "x"},
    )

    assert opened.status_code == 302 and posted.status_code == 302
    assert change.status_code == 404
    theirs.refresh_from_db()
    assert theirs.title != "Hijacked" and theirs.status == "active"


def test_expiring_view_is_scoped_too(commissioner_client, other_organisation):
    f.contract(organisation=other_organisation, reference="THEIRS-1", end_date=D(2026, 3, 1))

    response = commissioner_client.get(
        reverse("admin:contracts_contract_expiring"), {"today": "2026-01-01"}
    )

    assert b"THEIRS-1" not in response.content


def test_expiring_view_lists_by_horizon_to_be_agreed_and_overdue(
    commissioner_client, organisation
):
    f.contract(organisation=organisation, reference="IN-3M", end_date=D(2026, 3, 31))
    f.contract(organisation=organisation, reference="IN-12M", end_date=D(2026, 12, 31))
    f.contract(organisation=organisation, reference="LATER", end_date=D(2028, 1, 1))
    f.contract(
        organisation=organisation,
        reference="TBA",
        end_date=None,
        end_date_to_be_agreed=True,
        end_date_reason="PSR Direct Award C under review",
    )
    f.contract(
        organisation=organisation,
        reference="OVERDUE",
        start_date=D(2023, 1, 1),
        end_date=D(2025, 12, 31),
    )

    response = commissioner_client.get(
        reverse("admin:contracts_contract_expiring"), {"today": "2026-01-15"}
    )

    result = response.context["result"]
    assert [c.reference for c in result.horizons["3m"]] == ["IN-3M"]
    assert list(result.horizons["6m"]) == []
    assert [c.reference for c in result.horizons["12m"]] == ["IN-12M"]
    assert [c.reference for c in result.to_be_agreed] == ["TBA"]
    assert [c.reference for c in result.overdue] == ["OVERDUE"]
    assert b"PSR Direct Award C under review" in response.content
    assert b"LATER" not in response.content


def test_adding_a_contract_in_the_admin_goes_through_the_service(
    commissioner_client, commissioner, organisation
):
    supplier = f.supplier(name="Health Harmonie Ltd")

    response = commissioner_client.post(
        reverse("admin:contracts_contract_add"),
        {
            "organisation": organisation.pk,
            "reference": "SSOT-NOUS-2",
            "supplier": supplier.pk,
            "title": "Provision of Non-Obstetric Ultrasound",
            "categories": ["nous"],
            "kind": "independent_sector",
            "status": "active",
            "payment_basis": "activity_at_tariff",
            "value": "0",
            "end_date": "2026-03-31",
            "value_is_public": "on",
            "changes-TOTAL_FORMS": "0",
            "changes-INITIAL_FORMS": "0",
            "warnings-TOTAL_FORMS": "0",
            "warnings-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    contract = Contract.objects.get(reference="SSOT-NOUS-2")
    assert contract.current_end_date == D(2026, 3, 31)
    assert contract.categories == ["nous"]
    assert history_for(contract).get().actor == commissioner.username


def test_commissioner_cannot_add_a_contract_to_another_organisation(
    commissioner_client, other_organisation
):
    supplier = f.supplier()

    commissioner_client.post(
        reverse("admin:contracts_contract_add"),
        {
            "organisation": other_organisation.pk,
            "reference": "X",
            "supplier": supplier.pk,
            "title": "X",
            "kind": "independent_sector",
            "status": "active",
            "payment_basis": "annual",
            "changes-TOTAL_FORMS": "0",
            "changes-INITIAL_FORMS": "0",
            "warnings-TOTAL_FORMS": "0",
            "warnings-INITIAL_FORMS": "0",
        },
    )

    assert not Contract.objects.exists()


def test_recording_an_extension_in_the_admin_moves_the_end_date(commissioner_client, organisation):
    contract = f.contract(organisation=organisation, end_date=D(2026, 3, 31))

    response = commissioner_client.post(
        reverse("admin:contracts_contract_record_change", args=[contract.pk]),
        {
            "kind": "extension",
            "effective_on": "2026-01-10",
            "new_end_date": "2027-03-31",
            "reason": "12-month option exercised",
        },
    )

    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.current_end_date == D(2027, 3, 31)


def test_upload_previews_then_commit_imports(commissioner_client, organisation):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = (
        b"reference,supplier,title,kind,payment_basis\n"
        b"A-1,Cobalt,CT & MRI service,insourcing,cost_per_case\n"
    )
    upload = SimpleUploadedFile("contracts.csv", content, content_type="text/csv")

    response = commissioner_client.post(
        reverse("admin:contracts_contract_import"),
        {"organisation": organisation.pk, "kind": "contracts", "file": upload},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and not Contract.objects.exists()
    page = commissioner_client.get(reverse("admin:contracts_importjob_change", args=[job.pk]))
    assert b"Import 1 rows" in page.content

    commissioner_client.post(reverse("admin:contracts_importjob_commit", args=[job.pk]))

    job.refresh_from_db()
    assert job.status == "succeeded"
    assert Contract.objects.get().reference == "A-1"


def test_import_page_shows_every_error(commissioner_client, organisation):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = b"reference,supplier,title,kind,payment_basis,end_date\nA,B,C,insourcing,annual,31/02/2025\n"

    commissioner_client.post(
        reverse("admin:contracts_contract_import"),
        {
            "organisation": organisation.pk,
            "kind": "contracts",
            "file": SimpleUploadedFile("contracts.csv", content),
        },
    )
    job = ImportJob.objects.get()
    page = commissioner_client.get(reverse("admin:contracts_importjob_change", args=[job.pk]))

    assert b"31/02/2025" in page.content and b"is not a date" in page.content
    assert b"Import 1 rows" not in page.content


def test_csv_export_action(commissioner_client, organisation):
    contract = f.contract(organisation=organisation, reference="EXP-1")

    response = commissioner_client.post(
        reverse("admin:contracts_contract_changelist"),
        {"action": "_export_csv", "_selected_action": [contract.pk]},
    )

    assert response["Content-Type"].startswith("text/csv")
    assert b"EXP-1" in response.content


def test_public_visitor_is_sent_to_log_in(public_client):
    response = public_client.get(reverse("admin:contracts_contract_expiring"))

    assert response.status_code == 302


def _import_ending_in_march(organisation, n):
    from contracts import imports

    csv = "reference,supplier,title,kind,payment_basis,end_date\n" + "".join(
        f"E-{i:04d},Supplier,MRI,independent_sector,annual,2026-03-{1 + i % 28:02d}\n"
        for i in range(n)
    )
    imports.commit(
        content=csv.encode(),
        filename="c.csv",
        kind="contracts",
        organisation=organisation,
        by=TEST_DATA,
    )


def test_expiring_view_shows_a_hundred_a_section_at_a_time(commissioner_client, organisation):
    _import_ending_in_march(organisation, 150)
    url = reverse("admin:contracts_contract_expiring")

    first = commissioner_client.get(url, {"today": "2026-01-01"})
    second = commissioner_client.get(url, {"today": "2026-01-01", "page-horizon-3m": "2"})

    assert first.content.count(b"<tr><td>") == 100
    assert second.content.count(b"<tr><td>") == 50
    assert b"1&ndash;100 of 150" in first.content
    assert b"page-horizon-3m=2" in first.content and b"today=2026-01-01" in first.content
    assert first.context["result"].count == 150


def test_expiring_view_queries_do_not_grow_with_the_register(commissioner_client, organisation):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("admin:contracts_contract_expiring")
    _import_ending_in_march(organisation, 3)
    commissioner_client.get(url, {"today": "2026-01-01"})  # session and permissions warm
    with CaptureQueriesContext(connection) as few:
        commissioner_client.get(url, {"today": "2026-01-01"})
    Contract.objects.all().delete()
    _import_ending_in_march(organisation, 250)
    with CaptureQueriesContext(connection) as many:
        commissioner_client.get(url, {"today": "2026-01-01"})

    assert len(many) == len(few)


def test_expiring_view_reads_only_the_page_it_shows(commissioner_client, organisation):
    """Bounded: every query on the contract table is the one count or a page of at most
    100 rows, so 10,000 contracts are never all loaded to be sorted into horizons."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _import_ending_in_march(organisation, 250)
    url = reverse("admin:contracts_contract_expiring")

    with CaptureQueriesContext(connection) as queries:
        response = commissioner_client.get(url, {"today": "2026-01-01"})

    on_contracts = [q["sql"] for q in queries if 'FROM "contracts_contract"' in q["sql"]]
    assert len(on_contracts) == 2  # the counts, then the one non-empty section's page
    assert "COUNT(" in on_contracts[0]
    assert "LIMIT 100" in on_contracts[1]
    assert response.context["result"].count == 250


def _spend(organisation, year, kind, amount, **fields):
    from contracts import services

    return services.record_spend(
        organisation=organisation,
        financial_year=year,
        kind=kind,
        amount=None if amount is None else Decimal(amount),
        source="ledger",
        by=TEST_DATA,
        **fields,
    )


def test_spend_list_totals_each_financial_year_and_kind(commissioner_client, organisation):
    """Hand-summed: 2024/25 insourcing 3,000,000 + 91,519 = 3,091,519 (the Dudley letter's
    total), a provider used without an amount counted but not summed."""
    _spend(organisation, "2024/25", "insourcing", "3000000.00", reference="INS-A")
    _spend(organisation, "2024/25", "insourcing", "91519.00", reference="INS-B")
    _spend(
        organisation,
        "2024/25",
        "insourcing",
        None,
        supplier=f.supplier(name="Health Now"),
        category="cardiology",
    )
    _spend(organisation, "2024/25", "independent_sector", "1200.50", reference="IS-A")
    _spend(organisation, "2023/24", "insourcing", "50.00", reference="OLD")

    response = commissioner_client.get(reverse("admin:contracts_contractspend_changelist"))

    totals = {
        (t.financial_year, t.kind): (t.total, t.lines, t.lines_without_amount)
        for t in response.context["spend_totals"]
    }
    assert totals == {
        ("2024/25", "insourcing"): (3091519, 3, 1),
        ("2024/25", "independent_sector"): (Decimal("1200.50"), 1, 0),
        ("2023/24", "insourcing"): (50, 1, 0),
    }
    page = response.content.decode()
    assert "£3,091,519" in page and "3,091,519.00" not in page
    assert "£1,200.50" in page and "£50" in page


def test_contract_values_are_shown_in_pounds_in_the_list_and_on_the_page(
    commissioner_client, organisation, commissioner
):
    """Whole pounds without pence, pence when there are any, a reduction with its sign."""
    contract = f.contract(
        organisation=organisation, reference="VAL-1", value=Decimal("1250000.00")
    )
    services.record_contract_change(
        contract,
        kind="variation",
        effective_on=D(2025, 6, 1),
        value_change=Decimal("-5000.50"),
        reason="Activity variation",
        by=commissioner,
    )

    listing = commissioner_client.get(reverse("admin:contracts_contract_changelist"))
    page = commissioner_client.get(reverse("admin:contracts_contract_change", args=[contract.pk]))

    assert "£1,244,999.50" in listing.content.decode()
    assert "£1,244,999.50" in page.content.decode()
    assert "-£5,000.50" in page.content.decode()
    assert "1244999.50" not in page.content.decode()


def test_spend_lines_show_their_amount_in_pounds(commissioner_client, organisation):
    _spend(organisation, "2024/25", "insourcing", "91519.00", reference="INS-B")

    response = commissioner_client.get(reverse("admin:contracts_contractspend_changelist"))

    assert '<td class="field-amount_in_pounds">£91,519</td>' in response.content.decode()


def test_spend_totals_follow_the_list_filter(commissioner_client, organisation):
    _spend(organisation, "2024/25", "insourcing", "10.00", reference="A")
    _spend(organisation, "2023/24", "insourcing", "20.00", reference="B")

    response = commissioner_client.get(
        reverse("admin:contracts_contractspend_changelist"), {"financial_year": "2023/24"}
    )

    assert [t.total for t in response.context["spend_totals"]] == [20]


# -- issue 15: a commissioner keeps the register unaided -------------------------------------


def test_contract_page_links_to_recording_a_change(commissioner_client, organisation):
    contract = f.contract(organisation=organisation)
    url = reverse("admin:contracts_contract_record_change", args=[contract.pk])

    page = commissioner_client.get(reverse("admin:contracts_contract_change", args=[contract.pk]))

    assert f'href="{url}"' in page.content.decode()


def test_record_change_form_picks_dates_and_shows_the_current_terms(
    commissioner_client, organisation
):
    contract = f.contract(
        organisation=organisation, end_date=D(2026, 3, 31), notice_period_days=90
    )

    page = commissioner_client.get(
        reverse("admin:contracts_contract_record_change", args=[contract.pk])
    ).content.decode()

    assert 'type="date" name="effective_on"' in page
    assert 'type="date" name="new_end_date"' in page
    # 31 March 2026 less 90 days (31 + 28 + 31) is 31 December 2025.
    assert "31 Mar 2026" in page and "31 Dec 2025" in page


def test_ending_soon_shows_the_last_day_to_give_notice(commissioner_client, organisation):
    f.contract(
        organisation=organisation,
        reference="NOTICE-1",
        end_date=D(2026, 6, 30),
        notice_period_days=60,
    )

    page = commissioner_client.get(
        reverse("admin:contracts_contract_expiring"), {"today": "2026-03-01"}
    ).content.decode()

    # 30 June 2026 less 60 days is 1 May 2026.
    assert "Last day to give notice" in page
    assert "1 May 2026 (60 days' notice)" in page


def test_cdc_host_trust_picker_offers_trusts_of_other_organisations(
    commissioner_client, organisation, commissioner
):
    """Cannock Chase CDC is in the ICB's area but hosted by The Royal Wolverhampton NHS
    Trust, which the ICB's commissioner does not belong to."""
    rwt = OrganisationFactory(
        name="The Royal Wolverhampton NHS Trust", ods_code="RL4", kind="trust"
    )
    f.cdc(host_trust=rwt, icb=OrganisationFactory(), name="Quokka private CDC")
    url = reverse("admin:contracts_communitydiagnosticcentre_add")

    page = commissioner_client.get(url).content.decode()
    response = commissioner_client.post(
        url,
        {
            "name": "Cannock Chase CDC",
            "host_trust": rwt.pk,
            "icb": organisation.pk,
            "delivery_model": "nhs",
            "role": "standalone",
            "status": "open",
            "data_note": "",
            "modalities-TOTAL_FORMS": "0",
            "modalities-INITIAL_FORMS": "0",
        },
    )

    assert "The Royal Wolverhampton NHS Trust" in page
    assert "Quokka private CDC" not in page
    assert response.status_code == 302, response.content.decode()[:2000]
    cdc = CommunityDiagnosticCentre.objects.get(name="Cannock Chase CDC")
    assert cdc.host_trust == rwt and cdc.icb == organisation


def test_cdc_icb_picker_offers_only_the_commissioners_own(
    commissioner_client, organisation, other_organisation
):
    page = commissioner_client.get(
        reverse("admin:contracts_communitydiagnosticcentre_add")
    ).content.decode()

    icb_select = page[page.index('name="icb"') : page.index("</select>", page.index('name="icb"'))]
    assert organisation.name in icb_select
    assert other_organisation.name not in icb_select


def test_cdc_icb_picker_offers_only_integrated_care_boards(
    commissioner_client, commissioner, organisation
):
    """A commissioner who acts for an ICB and for a Trust is offered the ICB only: a CDC's
    ICB is the board whose area it serves, never a Trust."""
    trust = OrganisationFactory(
        name="Quokka Valley NHS Foundation Trust", ods_code="RQV", kind="trust"
    )
    trust.members.add(commissioner)

    page = commissioner_client.get(
        reverse("admin:contracts_communitydiagnosticcentre_add")
    ).content.decode()

    start = page.index('name="icb"')
    icb_select = page[start : page.index("</select>", start)]
    assert organisation.name in icb_select
    assert "Quokka Valley NHS Foundation Trust" not in icb_select


def test_cdc_with_a_trust_posted_as_its_icb_is_refused(
    commissioner_client, commissioner, organisation
):
    trust = OrganisationFactory(
        name="Quokka Valley NHS Foundation Trust", ods_code="RQV", kind="trust"
    )
    trust.members.add(commissioner)

    response = commissioner_client.post(
        reverse("admin:contracts_communitydiagnosticcentre_add"),
        {
            "name": "Quokka Valley CDC",
            "host_trust": trust.pk,
            "icb": trust.pk,
            "delivery_model": "nhs",
            "role": "standalone",
            "status": "open",
            "data_note": "",
            "modalities-TOTAL_FORMS": "0",
            "modalities-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "Choose an Integrated Care Board you act for" in response.content.decode()
    assert not CommunityDiagnosticCentre.objects.filter(name="Quokka Valley CDC").exists()


def test_ocds_download_in_the_admin(commissioner_client, organisation, other_organisation):
    f.contract(organisation=organisation, reference="OURS-PUBLIC", is_public=True)
    f.contract(organisation=organisation, reference="OURS-PRIVATE", is_public=False)
    f.contract(organisation=other_organisation, reference="THEIRS", is_public=True)
    url = reverse("admin:contracts_contract_ocds")

    public = commissioner_client.post(url, {"organisation": organisation.pk})
    private = commissioner_client.post(
        url, {"organisation": organisation.pk, "include_private": "on"}
    )
    theirs = commissioner_client.post(url, {"organisation": other_organisation.pk})

    assert public["Content-Disposition"].startswith('attachment; filename="ocds-QNC-public-')
    assert [r["id"] for r in json.loads(public.content)["releases"]] == [
        "ocds-xxxxxx-QNC-OURS-PUBLIC-award"
    ]
    assert len(json.loads(private.content)["releases"]) == 2
    assert theirs.status_code == 200 and b"THEIRS" not in theirs.content
    assert b"Select a valid choice" in theirs.content


def test_ocds_download_says_when_nothing_is_public(commissioner_client, organisation):
    f.contract(organisation=organisation, is_public=False)

    response = commissioner_client.post(
        reverse("admin:contracts_contract_ocds"), {"organisation": organisation.pk}
    )

    assert response.status_code == 200
    assert "no public contracts to publish" in response.content.decode()
