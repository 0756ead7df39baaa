"""Capture a real example answer of each public API operation from the demo data, for the
OpenAPI schema (``foiregister/api/examples.json``). Run after ``load_demo``; lists are cut
to their first two items."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from django.test import Client

from foiregister.api import schema
from foiregister.disclosure import selectors
from metrics.models import Run


def _trim(data):
    if isinstance(data, dict):
        out = dict(data)
        for key in ("results", "releases"):
            if isinstance(out.get(key), list):
                out[key] = out[key][:2]
        return out
    if isinstance(data, list):
        return data[:2]
    return data


class Command(BaseCommand):
    help = "Capture example API answers from the demo data into foiregister/api/examples.json."

    def handle(self, *args, **options):
        entry = selectors.public_disclosure_log().filter(reference="FOI-072025-0001782").first()
        entry = entry or selectors.public_disclosure_log().first()
        run = Run.objects.order_by("pk").first()
        calls = {
            "v1_responses_list": ("/api/v1/responses/?q=insourcing", "?published_from=2025-13-01"),
            "v1_responses_retrieve": (f"/api/v1/responses/{entry.public_id}/", None),
            "v1_organisations_list": ("/api/v1/organisations/", "?kind=none"),
            "v1_organisations_retrieve": ("/api/v1/organisations/RNA/", None),
            "v1_contracts_list": ("/api/v1/contracts/", "?kind=none"),
            "v1_cdcs_list": ("/api/v1/cdcs/", "?status=none"),
            "v1_ocds_retrieve": ("/api/v1/ocds/", None),
        }
        if run is not None:
            calls["v1_runs_list"] = ("/api/v1/runs/", "?page=x")
            calls["v1_runs_retrieve"] = (f"/api/v1/runs/{run.pk}/", None)
            calls["v1_runs_results_list"] = (f"/api/v1/runs/{run.pk}/results/", None)
        client = Client()
        examples = {}
        for op_id, (path, bad) in calls.items():
            found = {}
            response = client.get(path, HTTP_ACCEPT="application/json")
            if response.status_code != 200:
                self.stderr.write(f"{path}: {response.status_code}")
                continue
            found["200"] = _trim(response.json())
            if bad is not None:
                wrong = client.get(path.split("?")[0] + bad, HTTP_ACCEPT="application/json")
                if wrong.status_code == 400:
                    found["400"] = wrong.json()
            missing = path.rstrip("/").rsplit("/", 1)[0] + "/nosuchthing/"
            if op_id.endswith("_retrieve") and "ocds" not in op_id:
                found["404"] = client.get(missing, HTTP_ACCEPT="application/json").json()
            examples[op_id] = found
        schema.EXAMPLES_FILE.write_text(json.dumps(examples, indent=1, ensure_ascii=False) + "\n")
        self.stdout.write(f"Wrote {len(examples)} examples to {schema.EXAMPLES_FILE}")
