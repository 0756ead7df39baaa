"""The FOI lead's statistics page, dashboard charts and board report, and the public
quarterly statistics page (issue 16)."""

import datetime

import pytest
from django.urls import reverse

from foiregister.requests.reports import Quarter
from tests.factories.foiregister import log_request
from tests.foiregister.test_imports import PLAIN, csv

STATS = "admin:foiregister_request_statistics"
PERIOD = {"date_from": "2025-06-01", "date_to": "2025-06-30", "as_of": "2025-09-30"}


@pytest.fixture
def imported(organisation, foi_lead):
    """One request received Mon 2 Jun 2025, answered Fri 27 Jun (in time), partially
    withheld under s.40(2) and s.43(2)."""
    from foiregister.requests import imports
    from tests.factories import TEST_DATA

    imports.commit(
        content=csv(PLAIN),
        filename="log.csv",
        organisation=organisation,
        by=TEST_DATA,
        today=datetime.date(2025, 12, 1),
    )
    return organisation


def test_quarters_step_across_years():
    assert Quarter.parse("2025-Q1").previous() == Quarter(2024, 4)
    assert Quarter(2024, 4).next() == Quarter(2025, 1)
    assert (Quarter(2024, 4).start, Quarter(2024, 4).end) == (
        datetime.date(2024, 10, 1),
        datetime.date(2024, 12, 31),
    )


@pytest.mark.django_db
def test_a_lead_sees_the_figures_with_their_definitions_and_charts(imported, foi_lead_client):
    response = foi_lead_client.get(reverse(STATS), {"organisation": imported.pk, **PERIOD})

    assert response.status_code == 200
    page = response.content.decode()
    assert '<th scope="row">in_time_percent</th><td>100.0</td>' in page
    assert "half away from zero" in page
    assert page.count('src="data:image/svg+xml;base64,') == 5
    assert response.context["figures"]["exemptions"] == {"s.40(2)": 1, "s.43(2)": 1}


@pytest.mark.django_db
def test_the_figures_download_as_csv(imported, foi_lead_client):
    response = foi_lead_client.get(
        reverse(STATS), {"organisation": imported.pk, **PERIOD, "format": "csv"}
    )

    lines = response.content.decode().splitlines()
    assert lines[0] == "figure,value,definition"
    assert any(line.startswith("in_time,1,") for line in lines)


@pytest.mark.django_db
def test_another_bodys_lead_cannot_pick_our_organisation(imported, other_organisation):
    from django.test import Client

    from tests.conftest import member

    client = Client()
    client.force_login(member(other_organisation, "FOI lead", "otherlead"))

    response = client.get(reverse(STATS), {"organisation": imported.pk, **PERIOD})

    assert response.status_code == 200
    assert "figures" not in response.context
    assert imported.name not in response.content.decode()
    board = client.get(
        reverse("admin:foiregister_request_board_report"),
        {"organisation": imported.pk, **PERIOD},
    )
    assert board.status_code == 403


@pytest.mark.django_db
def test_an_officer_is_not_shown_the_lead_screens(organisation, foi_officer_client):
    assert foi_officer_client.get(reverse(STATS)).status_code == 403


@pytest.mark.django_db
def test_the_board_report_is_a_pdf_titled_without_requester_detail(imported, foi_lead_client):
    from io import BytesIO

    from pypdf import PdfReader

    response = foi_lead_client.get(
        reverse("admin:foiregister_request_board_report"),
        {"organisation": imported.pk, **PERIOD},
    )

    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    assert reader.metadata.title.startswith("FOI report to the board: Staffordshire")
    text = "".join(page.extract_text() for page in reader.pages)
    assert "in_time_percent" in text


@pytest.mark.django_db
def test_the_public_quarterly_page_shows_counts_only(imported, public_client):
    mine = log_request(organisation=imported, received_on=datetime.date(2025, 6, 3))
    url = reverse("disclosure:organisation_statistics", args=[imported.ods_code])

    response = public_client.get(url, {"quarter": "2025-Q2"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Requests received Apr to Jun 2025" in page
    assert '<th scope="row">Received (FOI and EIR)</th><td>2</td>' in page
    for private in (mine.reference, mine.title, mine.requester.name, "FOI/2025/001"):
        assert private not in page


@pytest.mark.django_db
def test_the_public_quarterly_csv(imported, public_client):
    url = reverse("disclosure:organisation_statistics_csv", args=[imported.ods_code])

    response = public_client.get(url, {"quarter": "2025-Q2"})

    assert response["Content-Disposition"] == (
        'attachment; filename="foi-statistics-QNC-2025-Q2.csv"'
    )
    assert "received,1," in response.content.decode()


@pytest.mark.django_db
def test_a_quarter_not_yet_begun_is_not_found(organisation, public_client, today):
    later = Quarter.containing(today).next()
    url = reverse("disclosure:organisation_statistics", args=[organisation.ods_code])

    assert public_client.get(url, {"quarter": str(later)}).status_code == 404
    assert public_client.get(url, {"quarter": "2025-Q9"}).status_code == 404


@pytest.mark.django_db
def test_the_public_quarterly_page_explains_in_words_not_csv_column_names(
    organisation, public_client, today
):
    """The definitions beside each figure were written for the CSV's columns (`from`,
    as_of, in_time); the page gives the dates themselves, and its tables scroll inside
    their own region on a phone instead of widening the page."""
    url = reverse("disclosure:organisation_statistics", args=[organisation.ods_code])

    page = public_client.get(url, {"quarter": "2025-Q2"}).content.decode()

    assert "(1 April 2025 to 30 June 2025)" in page
    read_on = f"{today.day} {today:%B %Y}"
    assert f"as they stood on {read_on}." in page
    assert "received from 1 April 2025 to 30 June 2025, both included" in page
    assert f"Withdrawn on or before {read_on}." in page
    assert '<th scope="row">Granted in full</th>' in page
    assert '<th scope="row">Decided in time</th>' in page
    for jargon in ("`", "as_of", "in_time", "open_overdue", "null", "granted_in_full"):
        assert jargon not in page, jargon
    assert page.count('class="app-table-scroll" role="region"') == page.count("<table")


@pytest.mark.django_db
def test_the_statistics_are_linked_from_every_public_page_and_the_organisations_page(
    organisation, public_client
):
    statistics = reverse("disclosure:statistics")
    for path in ("/", "/registers/contracts/", "/privacy/"):
        assert (
            f'href="{statistics}">FOI statistics</a>' in public_client.get(path).content.decode()
        )
    own = reverse("disclosure:organisation_statistics", args=[organisation.ods_code])
    page = public_client.get(f"/organisations/{organisation.ods_code}/").content.decode()
    assert f'href="{own}"' in page
