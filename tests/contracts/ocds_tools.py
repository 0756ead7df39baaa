"""The Open Contracting Partnership's own tools, run offline on the schema the product ships.

libcoveocds (the validator behind the OCDS Data Review Tool) reads the standard from a ZIP of
the ``open-contracting/standard`` repository, by default downloaded from the web; its
``standard_zip`` option also takes the ZIP's bytes, so we build one from
``contracts/schema/ocds-1.1.5`` (the tag's ``schema/`` folder, unchanged). ``ocdskit
compile`` takes the release schema as a path (``--schema``). ``no_web`` makes any HTTP
request an error, so a test that passes proves no file came from the web."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from functools import cache
from typing import Any

from contracts import ocds


@cache
def standard_zip() -> bytes:
    """The shipped schema folder laid out as the standard repository's ZIP at tag 1__1__5."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("standard-1__1__5/", "")
        for path in sorted(ocds.SCHEMA_DIR.rglob("*")):
            if path.is_file():
                name = path.relative_to(ocds.SCHEMA_DIR).as_posix()
                archive.write(path, f"standard-1__1__5/schema/{name}")
    return buffer.getvalue()


def libcoveocds_report(package: dict[str, Any]) -> dict[str, Any]:
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    config = LibCoveOCDSConfig({"standard_zip": standard_zip(), "context": "api"})
    return ocds_json_output(json_data=package, lib_cove_ocds_config=config, schema_version="1.1")


def libcoveocds_problems(package: dict[str, Any]) -> dict[str, Any]:
    """Everything the Data Review Tool would flag: schema errors (with format checking),
    closed codelist values outside the codelist, and its additional checks."""
    report = libcoveocds_report(package)
    problems = {
        "validation_errors": report.get("validation_errors") or [],
        "additional_closed_codelist_values": report.get("additional_closed_codelist_values") or {},
        "additional_checks": report.get("additional_checks") or {},
    }
    return {k: v for k, v in problems.items() if v}


def ocdskit_compile(package: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``ocdskit compile --schema <shipped release schema>``: one compiled release per OCID."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ocdskit",
            "compile",
            "--schema",
            str(ocds.SCHEMA_DIR / "release-schema.json"),
        ],
        input=json.dumps(package),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    compiled = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return {c["ocid"]: c for c in compiled}


def compiled_end_date(compiled: dict[str, Any]) -> str | None:
    [contract] = compiled["contracts"]
    return contract.get("period", {}).get("endDate")
