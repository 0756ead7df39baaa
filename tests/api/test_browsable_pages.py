"""The API in a browser (DRF's browsable pages) is a public page like the others: in
British English, one main landmark, the breadcrumb a navigation, every button named, a
skip link, and no link off to DRF's site (axe-core and the Nu checker read the same pages
in tests/functional/test_accessibility.py and tests/disclosure/test_html_validity.py)."""

import pytest

from tests.factories.disclosure import published_entry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/responses/", "/api/v1/organisations/"])
def test_the_browsable_api_is_a_page_anyone_can_use(organisation, foi_lead, client, path):
    published_entry(organisation=organisation, by=foi_lead)
    page = client.get(path, HTTP_ACCEPT="text/html").content.decode()
    assert page.lstrip().startswith("<!DOCTYPE html>")
    assert '<html lang="en-GB">' in page
    assert page.count("<main") == 1 and 'role="main"' not in page
    assert '<nav aria-label="Breadcrumb">' in page
    assert 'href="#content">Skip to main content</a>' in page
    assert 'aria-label="Other formats"' in page
    assert "django-rest-framework.org" not in page
    assert "– FOI register API</title>" in page


def test_the_filter_dialog_is_named_and_its_form_has_an_action(organisation, client):
    page = client.get("/api/v1/responses/", HTTP_ACCEPT="text/html").content.decode()
    assert 'aria-labelledby="filters-title"' in page and 'id="filters-title"' in page
    assert 'action=""' not in page
