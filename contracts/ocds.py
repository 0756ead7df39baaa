"""PURE: the contract register as an Open Contracting Data Standard 1.1.5 release package.

Standard library only: the selector gathers each contract as a plain dict (see
``selectors.ocds_contract_records``) and this module maps it. One release per point in a
contract's life, as OCDS asks (releases are immutable notices, not a current state):

- ``{ocid}-award``: the award and the contract as signed (tags ``award``, ``contract``);
- ``{ocid}-change-{n}``: each extension or variation (``contractAmendment``) or
  termination (``contractTermination``), with the cumulative ``amendments`` list;
  ``n`` is the change's own recording number (1 for the first change recorded, whatever
  its date), so a back-dated change never renumbers a release already published;
- ``{ocid}-spend-2024-25``: one per financial year with actual spend, dated at its close
  (31 March), with the spend to date as implementation transactions (``implementation``):
  a new year is a new release, so last year's release is not rewritten.

Each release is dated by what it records: the award by the date signed (else the start
date), a change by the day it takes effect, spend by the year's close; never by when a row
was written. Compiling (``ocdskit compile``, which merges releases in date order) then gives
the end date and value the register shows.

The OCID is ``{prefix}-{ODS code}-{register reference}``, the prefix registered with the
Open Contracting Partnership (``settings.OCDS_PREFIX``). Identifiers are built only from what
the register already publishes (ODS code, the commissioner's own reference, the spend line's
reference, each change's recording number), never from database ids: a sequential id would tell a
reader how many rows, public or not, the register holds, and would change on a reload. The
reference is percent-encoded, so distinct references give distinct OCIDs. Codes come from the
closed codelists (releaseTag, contractStatus, partyRole, method) copied into
``contracts/schema``.
"""

from __future__ import annotations

import csv
import datetime
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

# The standard's schema folder at tag 1__1__5, unchanged (see its README.md).
SCHEMA_DIR = Path(__file__).resolve().parent / "schema" / "ocds-1.1.5"
CODELIST_DIR = SCHEMA_DIR / "codelists"
RELEASE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"

# PSR 2023, Procurement Act 2023 and PCR 2015 routes -> OCDS method codelist.
PROCUREMENT_METHOD = {
    "psr_da_a": "direct",
    "psr_da_b": "direct",
    "psr_da_c": "direct",
    "psr_urgent": "direct",
    "pa23_direct": "direct",
    "pcr15_no_notice": "direct",
    "psr_msp": "limited",
    "framework": "limited",
    "psr_competitive": "open",
    "pa23_open": "open",
    "pcr15_open": "open",
    "pa23_flexible": "selective",
    "pcr15_restricted": "selective",
    "pcr15_negotiated": "selective",
}


def ocds_datetime(value: datetime.date | datetime.datetime) -> str:
    """OCDS dates are RFC 3339 date-times; a date is taken as midnight UTC."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.UTC)
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{value.isoformat()}T00:00:00Z"


def money(amount: Decimal | int | None) -> dict[str, Any] | None:
    if amount is None:
        return None
    number = float(Decimal(amount))
    return {"amount": int(number) if number.is_integer() else number, "currency": "GBP"}


def financial_year_end(financial_year: str) -> datetime.date:
    """``2024/25`` ends on 31 March 2025."""
    return datetime.date(int(financial_year[:4]) + 1, 3, 31)


def _prune(value: Any) -> Any:
    """Drop empty strings, Nones, empty lists and dicts: OCDS prefers absent to empty."""
    if isinstance(value, dict):
        out = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_prune(v) for v in value if v not in (None, "", [], {})]
    return value


def identifier_part(text: str) -> str:
    """A register reference as part of an OCDS identifier: letters, digits and ``-._~``
    kept, anything else percent-encoded (``DGFT/INS 1`` -> ``DGFT%2FINS%201``), so it is
    safe in a URL and two references never give the same identifier."""
    return quote(text.strip(), safe="")


def supplier_party_id(name: str, companies_house_number: str = "") -> str:
    """``GB-COH-{number}`` when the supplier's Companies House number is known, else one
    made from its name: stable across exports and unique within a release (whose only
    other party is the buyer, ``GB-NHS-...``)."""
    if companies_house_number:
        return f"GB-COH-{companies_house_number}"
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return f"supplier-{slug or identifier_part(name)}"


def ocid_for(*, prefix: str, ods_code: str, reference: str) -> str:
    return f"{prefix}-{ods_code}-{identifier_part(reference)}"


def _party(party: dict[str, Any], roles: list[str], scheme: str) -> dict[str, Any]:
    identifier = None
    if scheme == "GB-NHS":
        identifier = {"scheme": "GB-NHS", "id": party["ods_code"], "legalName": party["name"]}
    elif party.get("companies_house_number"):
        identifier = {
            "scheme": "GB-COH",
            "id": party["companies_house_number"],
            "legalName": party.get("legal_name") or party["name"],
        }
    details = {}
    if party.get("is_sme"):
        details["scale"] = "sme"
    if party.get("is_vcse"):
        details["vcse"] = True
    return {
        "id": party["id"],
        "name": party["name"],
        "identifier": identifier,
        "address": {"streetAddress": party.get("address")} if party.get("address") else None,
        "roles": roles,
        "details": details or None,
    }


def _period(start, end, max_extent) -> dict[str, Any]:
    return {
        "startDate": ocds_datetime(start) if start else None,
        "endDate": ocds_datetime(end) if end else None,
        "maxExtentDate": ocds_datetime(max_extent) if max_extent else None,
    }


def contract_releases(
    record: dict[str, Any], *, prefix: str, as_of: datetime.date | None = None
) -> list[dict[str, Any]]:
    """Every release of one contract, oldest first, as published on ``as_of`` (None: every
    release, whatever its date).

    Each release gives the contract's status on its own date (the contractStatus
    codelist): a termination is "terminated" ("has now come to a close") from its
    termination date, the contract's new end date, and "active" before it. A termination
    agreed before its date (takes effect on 1 December, last day 31 March) is published
    as two releases: ``change-{n}`` on the day it takes effect, a ``contractAmendment``
    that moves the end date with the contract still active, and ``change-{n}-end`` on the
    termination date, the ``contractTermination``. A release that says "terminated" is not
    published before its date, so a package published before the termination date reads
    active, and compiling it never claims a close that has not happened."""
    buyer, supplier = record["buyer"], record["supplier"]
    ocid = ocid_for(prefix=prefix, ods_code=buyer["ods_code"], reference=record["reference"])
    parties = [
        _party(buyer, ["buyer", "procuringEntity"], "GB-NHS"),
        _party(supplier, ["supplier"], "GB-COH"),
    ]
    description = record["scope"]
    if record.get("end_date_to_be_agreed"):
        reason = record["end_date_reason"]
        tba = f"End date to be agreed: {reason}" if reason else "End date to be agreed."
        description = f"{description}\n{tba}".strip()
    tender = {
        "id": f"{ocid}-tender",
        "title": record["title"],
        "mainProcurementCategory": "services",
        "procurementMethod": PROCUREMENT_METHOD.get(record["procurement_route"]),
        "procurementMethodDetails": record["procurement_route_label"]
        if record["procurement_route"]
        else None,
        "additionalProcurementCategories": [],
    }
    awarded = award_date(record)
    award = {
        "id": f"{ocid}-award",
        "title": record["title"],
        "status": "active",
        "date": ocds_datetime(awarded),
        "value": money(record["value"]),
        "suppliers": [{"id": supplier["id"], "name": supplier["name"]}],
        "contractPeriod": _period(
            record["start_date"], record["end_date"], record["latest_end_date"]
        ),
    }
    payment = f"Payment basis: {record['payment_basis']}."
    categories = ", ".join(record["categories"])
    contract = {
        "id": f"{ocid}-contract",
        "awardID": award["id"],
        "title": record["title"],
        "description": "\n".join(
            x
            for x in (description, payment, f"Categories: {categories}." if categories else "")
            if x
        ),
        "status": "active"
        if record["status"] in ("terminated",) or record["changes"]
        else record["status"],
        "period": _period(record["start_date"], record["end_date"], record["latest_end_date"]),
        "value": money(record["value"]),
        "dateSigned": ocds_datetime(signed) if (signed := record.get("date_signed")) else None,
    }

    def release(suffix: str, date, tags: list[str], contract_state: dict) -> dict[str, Any]:
        return _prune(
            {
                "ocid": ocid,
                "id": f"{ocid}-{suffix}",
                "date": ocds_datetime(date),
                "tag": tags,
                "initiationType": "tender",
                "language": "en",
                "parties": parties,
                "buyer": {"id": buyer["id"], "name": buyer["name"]},
                "tender": tender,
                "awards": [award],
                "contracts": [contract_state],
            }
        )

    releases = [release("award", awarded, ["award", "contract"], contract)]
    end, value, amendments = record["end_date"], record["value"], []
    status = contract["status"]
    terminations: list[Any] = []  # termination dates applied so far

    def published(date) -> bool:
        return as_of is None or _day_of(date) <= as_of

    def status_on(date) -> str:
        day = _day_of(date)
        return "terminated" if any(t <= day for t in terminations) else status

    # Applied in the order they take effect (as the register computes the current end date
    # and value), each named by its own recording number, which never changes.
    changes = sorted(record["changes"], key=lambda c: (c["effective_on"], c["sequence"]))
    for change in changes:
        n = change["sequence"]
        end = change["new_end_date"] or end
        if change["value_change"] is not None and value is not None:
            value = Decimal(value) + Decimal(change["value_change"])
        amendments.append(
            {
                "id": f"{ocid}-amendment-{n}",
                "date": ocds_datetime(change["effective_on"]),
                "rationale": change["reason"],
                "description": change["kind_label"],
            }
        )
        effective = change["effective_on"]
        if change["kind"] == "termination":
            terminations.append(_day_of(change["new_end_date"] or effective))
        state = {
            **contract,
            "status": status_on(effective),
            "period": _period(record["start_date"], end, record["latest_end_date"]),
            "value": money(value),
            "amendments": list(amendments),
        }
        terminated = state["status"] == "terminated"
        tags = ["contractTermination"] if terminated else ["contractAmendment"]
        if not terminated or published(effective):
            releases.append(release(f"change-{n}", effective, tags, state))
        termination_date = terminations[-1] if change["kind"] == "termination" else None
        if termination_date and termination_date > _day_of(effective):
            if published(termination_date):
                ended = {**state, "status": "terminated"}
                releases.append(
                    release(f"change-{n}-end", termination_date, ["contractTermination"], ended)
                )
    last = releases[-1]["contracts"][0]
    contract_ref = {"id": last["id"], "awardID": last["awardID"]}

    def transaction(s: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": f"{ocid}-spend-{identifier_part(s['reference'])}",
            "source": None,
            "date": ocds_datetime(financial_year_end(s["financial_year"])),
            "value": money(s["amount"]),
            "payer": {"id": buyer["id"], "name": buyer["name"]},
            "payee": {"id": supplier["id"], "name": supplier["name"]},
            "uri": None,
        }

    # One release per financial year, dated at its close, with the spend to date: adding
    # next year's spend publishes a new release instead of changing this year's. It carries
    # only the spend (merged into the contract by its id), not the contract's terms, so a
    # later extension or variation does not rewrite it.
    for year in sorted({s["financial_year"] for s in record["spend"]}):
        transactions = [transaction(s) for s in record["spend"] if s["financial_year"] <= year]
        releases.append(
            _prune(
                {
                    "ocid": ocid,
                    "id": f"{ocid}-spend-{year.replace('/', '-')}",
                    "date": ocds_datetime(financial_year_end(year)),
                    "tag": ["implementation"],
                    "initiationType": "tender",
                    "language": "en",
                    "buyer": {"id": buyer["id"], "name": buyer["name"]},
                    "contracts": [
                        {**contract_ref, "implementation": {"transactions": transactions}}
                    ],
                }
            )
        )
    return releases


def _day_of(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def award_date(record: dict[str, Any]) -> datetime.date | datetime.datetime:
    """What the award release records happened on: the date signed, else the start date.
    A contract the register has neither for is dated at its earliest change, so merging
    (which applies releases in date order) never lets the award overwrite a change; only a
    contract with no date at all, and so nothing to be merged against, falls back to the
    day it was entered."""
    if record.get("date_signed"):
        return record["date_signed"]
    if record.get("start_date"):
        return record["start_date"]
    dates = [c["effective_on"] for c in record["changes"]]
    return min(dates) if dates else record["created"]


def release_package(
    records: list[dict[str, Any]],
    *,
    prefix: str,
    published_date: datetime.datetime,
    publication_policy: str,
    publisher: str = "FOI response and procurement register",
    uri: str = "",
    as_of: datetime.date | None = None,
) -> dict[str, Any]:
    """The package; ``publication_policy`` is the URI of the page that says what is
    published and what is withheld (OCDS asks for a URI, not the text). ``as_of`` is the
    day it is published on (default: the date of ``published_date``): a termination is
    published as such from its date (see ``contract_releases``)."""
    releases = [
        r
        for record in records
        for r in contract_releases(record, prefix=prefix, as_of=as_of or published_date.date())
    ]
    return {
        "uri": uri or f"urn:{prefix}:register:{published_date:%Y%m%dT%H%M%SZ}",
        "version": "1.1",
        "publishedDate": ocds_datetime(published_date),
        "publisher": {"name": publisher},
        "license": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "publicationPolicy": publication_policy,
        "releases": releases,
    }


def load_schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / name).read_text())


def validation_errors(package: dict[str, Any]) -> list[str]:
    """Every schema error in the package (release-package + release schema, draft 4).

    ``jsonschema`` is used only when validating, so the mapping itself stays stdlib."""
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    release_schema = load_schema("release-schema.json")
    registry = Registry().with_resource(
        RELEASE_SCHEMA_URL, Resource.from_contents(release_schema, default_specification=DRAFT4)
    )
    format_checker = jsonschema.Draft4Validator.FORMAT_CHECKER
    missing = {"uri", "date-time"} - set(format_checker.checkers)
    if missing:  # jsonschema skips a format it has no checker for, silently
        raise RuntimeError(
            f"jsonschema cannot check the {', '.join(sorted(missing))} format(s) OCDS uses: "
            "install jsonschema[format]"
        )
    validator = jsonschema.Draft4Validator(
        load_schema("release-package-schema.json"),
        registry=registry,
        format_checker=format_checker,
    )
    errors = [
        f"{'/'.join(map(str, e.absolute_path)) or '(package)'}: {e.message}"
        for e in sorted(validator.iter_errors(package), key=lambda e: list(e.absolute_path))
    ]
    return errors + codelist_errors(package)


def codelist(name: str) -> set[str]:
    with open(CODELIST_DIR / name, newline="", encoding="utf-8") as fh:
        return {row["Code"] for row in csv.DictReader(fh)}


def codelist_errors(package: dict[str, Any]) -> list[str]:
    """Closed codelists the schema names but does not enforce as an enum (releaseTag,
    partyRole, contractStatus, awardStatus, method, initiationType)."""
    tags, roles, contract_status = (
        codelist("releaseTag.csv"),
        codelist("partyRole.csv"),
        codelist("contractStatus.csv"),
    )
    award_status, methods, initiation = (
        codelist("awardStatus.csv"),
        codelist("method.csv"),
        codelist("initiationType.csv"),
    )
    errors = []
    for i, release in enumerate(package.get("releases", [])):
        where = f"releases/{i}"

        def check(value, allowed, path, where=where):
            if value is not None and value not in allowed:
                errors.append(f"{where}/{path}: {value!r} is not in the codelist")

        for tag in release.get("tag", []):
            check(tag, tags, "tag")
        check(release.get("initiationType"), initiation, "initiationType")
        for j, party in enumerate(release.get("parties", [])):
            for role in party.get("roles", []):
                check(role, roles, f"parties/{j}/roles")
        check(
            release.get("tender", {}).get("procurementMethod"), methods, "tender/procurementMethod"
        )
        for j, award in enumerate(release.get("awards", [])):
            check(award.get("status"), award_status, f"awards/{j}/status")
        for j, contract in enumerate(release.get("contracts", [])):
            check(contract.get("status"), contract_status, f"contracts/{j}/status")
    return errors
