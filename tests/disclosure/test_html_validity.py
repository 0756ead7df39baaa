"""Every public page type has 0 errors from the Nu HTML checker (vnu.jar), run offline on
the pages as served. vnu.jar is the npm package vnu-jar (``npm pack vnu-jar`` and unpack
it under var/vnu, or set VNU_JAR) and needs Java; without them the test skips."""

import datetime
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from contracts import services as contract_services
from foiregister.disclosure import services
from tests.factories import contracts as contract_factories
from tests.factories import letters as letter_factories
from tests.factories.letters import answered_request, issued_response

pytestmark = pytest.mark.django_db

CANDIDATES = [
    os.environ.get("VNU_JAR", ""),
    "var/vnu/package/build/dist/vnu.jar",
    "node_modules/vnu-jar/build/dist/vnu.jar",
]
VNU = next((p for p in CANDIDATES if p and Path(p).is_file()), None)

needs_vnu = pytest.mark.skipif(
    VNU is None or shutil.which("java") is None,
    reason="the Nu HTML checker (vnu.jar, from npm's vnu-jar) or Java is not installed",
)


@needs_vnu
def test_every_public_page_type_has_no_nu_checker_errors(
    organisation, foi_officer, foi_lead, client, tmp_path, monkeypatch
):
    monkeypatch.setitem(letter_factories.FIGURES, "nu", "CT & MRI scanning provided by Cobalt")
    request = answered_request(organisation=organisation, officer=foi_officer, figure="nu")
    issued_response(request=request, officer=foi_officer, lead=foi_lead)
    entry = services.publish_response(request=request, by=foi_lead)
    contract_factories.contract(organisation=organisation, by=foi_lead, is_public=True)
    cdc = contract_factories.cdc(icb=organisation, by=foi_lead, is_public=True)
    contract_services.set_cdc_modality(
        cdc=cdc,
        modality="mri",
        equipment_count=2,
        hours_per_week=Decimal("60"),
        examinations_per_hour=Decimal("2"),
        by=foi_lead,
    )
    contract_services.record_cdc_activity(
        cdc=cdc, modality="mri", month=datetime.date(2025, 9, 1), actual=900, by=foi_lead
    )
    pages = {
        "list": "/",
        "search": "/?q=Cobalt",
        "response": f"/responses/{entry.public_id}/",
        "contracts": "/registers/contracts/?kind=independent_sector",
        "cdcs": "/registers/cdcs/",
        "organisations": "/organisations/",
        "organisation": f"/organisations/{organisation.ods_code}/",
        "accessibility": "/accessibility/",
        "privacy": "/privacy/",
        "feeds": "/feeds/",
        "not-found": "/responses/neverexisted/",
        "api-docs": "/api/docs/",
        "api-explorer": "/api/explorer/",
        "api-browsable-list": "/api/v1/responses/",
        "api-browsable-detail": f"/api/v1/responses/{entry.public_id}/",
        "api-browsable-root": "/api/v1/",
        "search-mistyped-date": "/?q=Cobalt&published_from=2025-13-45",
        "statistics": "/statistics/",
        "organisation-statistics": f"/statistics/{organisation.ods_code}/?quarter=2025-Q3",
        "psr": "/registers/psr/",
    }
    for name, path in pages.items():
        response = client.get(path, HTTP_ACCEPT="text/html")
        assert response.status_code in (200, 404), path
        (tmp_path / f"{name}.html").write_bytes(response.content)
    # The public request form: empty, with errors, with suggestions, and its confirmation.
    organisation.public_request_form = True
    organisation.save()
    form = f"/organisations/{organisation.ods_code}/request/"
    posted = {
        "request-form": client.get(form),
        "request-form-errors": client.post(form, {"send": "1"}),
        "request-form-suggestions": client.post(
            form, {"check": "1", "text": "1. Who provides your CT and MRI scanning? Cobalt?"}
        ),
        "request-sent": client.get(
            client.post(
                form, {"send": "1", "name": "A Person", "email": "a@example.org", "text": "Hi"}
            )["Location"]
        ),
    }
    for name, response in posted.items():
        assert response.status_code == 200, name
        (tmp_path / f"{name}.html").write_bytes(response.content)
    checked = subprocess.run(
        [
            "java",
            "-jar",
            VNU,
            "--errors-only",
            "--format",
            "gnu",
            *sorted(map(str, tmp_path.glob("*.html"))),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.stderr.strip() == "" and checked.returncode == 0, checked.stderr
