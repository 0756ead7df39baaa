"""Saving an organisation's settings never rewinds its reference counter."""

import pytest

from foiregister.kernel import organisations
from foiregister.kernel.models import Organisation
from tests.factories import TEST_DATA
from tests.factories.foiregister import OrganisationFactory, log_request

pytestmark = pytest.mark.embedded


@pytest.mark.django_db
def test_settings_saved_from_a_page_opened_before_a_request_was_logged_keep_the_counter():
    organisation = OrganisationFactory(reference_pattern="FOI/{seq}", next_sequence=1434)
    opened = Organisation.objects.get(pk=organisation.pk)  # the settings page, as loaded
    logged = log_request(organisation=organisation)
    assert logged.reference == "FOI/1434"

    opened.public_request_form = True
    organisations.save_organisation(organisation=opened, by=TEST_DATA)

    organisation.refresh_from_db()
    assert organisation.public_request_form is True
    assert organisation.next_sequence == 1435
    assert log_request(organisation=organisation).reference == "FOI/1435"
