"""Completes the OpenAPI schema drf-spectacular builds: a description for every operation
and parameter, the 304, 400 and 404 answers the API gives, and a real example response for
each operation (``examples.json``, captured from the demo data by
``manage.py api_examples``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EXAMPLES_FILE = Path(__file__).with_name("examples.json")

OPERATION_DESCRIPTIONS = {
    "schema_retrieve": "This OpenAPI 3 schema, as YAML (default) or JSON.",
}

PARAMETER_DESCRIPTIONS = {
    "format": "The schema's format: json or yaml.",
    "lang": "The language of the schema's descriptions (only English is provided).",
    "ods_code": "The organisation's ODS code, for example RNA.",
    "public_id": "The response's public id, as in its page's address /responses/<id>/.",
    "published_from": "Responses published on or after this date (YYYY-MM-DD).",
    "published_to": "Responses published on or before this date (YYYY-MM-DD).",
    "topic": "Responses with exactly this topic, for example Imaging.",
    "by": "Runs grouped by this dimension, for example provider.",
    "id": "The run's id.",
    "page": "The page of results, from 1.",
    "q": "Words to search for.",
}

ERROR_SCHEMA = {
    "type": "object",
    "additionalProperties": True,
    "description": "What was wrong: 'detail', or a list of messages per parameter.",
}
NOT_MODIFIED = {
    "description": "Not modified: the response's ETag still matches the If-None-Match "
    "header sent, so the copy the client holds is current. No body."
}


def _examples() -> dict[str, Any]:
    if EXAMPLES_FILE.exists():
        return json.loads(EXAMPLES_FILE.read_text())
    return {}


def _error(description: str, example: Any) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": ERROR_SCHEMA, "example": example}},
    }


def complete_schema(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """drf-spectacular ``POSTPROCESSING_HOOKS`` entry."""
    examples = _examples()
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method != "get":
                continue
            op_id = operation.get("operationId", "")
            if not operation.get("description"):
                operation["description"] = OPERATION_DESCRIPTIONS.get(
                    op_id, operation.get("summary", "")
                )
            for parameter in operation.get("parameters", []):
                if not parameter.get("description"):
                    parameter["description"] = PARAMETER_DESCRIPTIONS.get(parameter["name"], "")
            captured = examples.get(op_id, {})
            responses = operation["responses"]
            ok = responses.get("200", {})
            for media in ok.get("content", {}).values():
                if "200" in captured:
                    media["example"] = captured["200"]
            responses["304"] = NOT_MODIFIED
            queries = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
            if queries and op_id != "schema_retrieve":
                responses["400"] = _error(
                    "A query parameter is not valid (the message names it).",
                    captured.get("400", {"published_from": ["Enter a valid date."]}),
                )
            if op_id != "schema_retrieve":
                responses["404"] = _error(
                    "No such item, or a page past the last.",
                    captured.get("404", {"detail": "Not found."}),
                )
    return result
