"""Demo data for the registers, from the seed documents (``../shared/seeds``, beside the repository).

Facts come from the documents: the Staffordshire and Stoke-on-Trent ICB letter of 14 Nov
2025 (seed 000: three independent-sector imaging contracts, zero value, paid on activity at
national tariff, with their expiry dates; no plans to re-tender), the Dudley Group letter of
12 May 2026 (seed 002: insourcing providers by specialty in 2024/25, live contracts on 22 July
2025 with end dates or 'to be agreed' under PSR Direct Award C, total clinical insourcing
spend 2024/25 of GBP 3,091,519) and the West Midlands Imaging Network Current Operating Model
(seed 004: 15 Trusts in 6 ICBs with sites, 2022/23 activity, staff and scanners; 13 CDCs by
location).

Each contract names the document it comes from in ``source`` (kept out of its scope, which
letters quote). Invented, and labelled so on every row (``data_note`` / ``source``): each CDC's host Trust
and ICB where the document gives only the place, its delivery model, equipment, hours and
monthly activity; register references; contract start dates are left blank where the
letters give none. Idempotent: every write is an upsert through the services.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from contracts import services
from contracts.models import (
    CdcModality,
    CommunityDiagnosticCentre,
    Contract,
    PlannedProcurement,
    Supplier,
)
from foiregister.kernel.models import Organisation

SEED_000 = "FOI/0925/1434, Staffordshire and Stoke-on-Trent ICB, 14 Nov 2025"
SEED_002 = "FOI-072025-0001782, The Dudley Group NHS FT, 12 May 2026"
SEED_004 = "West Midlands Imaging Network, Current Operating Model (NIDC March 2023; DID 2022/23)"
INVENTED = "Invented for the demonstration: not real capacity or activity."
ZERO = Contract.PaymentBasis.ACTIVITY_AT_TARIFF

ICBS = {
    "QHL": "NHS Birmingham and Solihull ICB",
    "QWU": "NHS Coventry and Warwickshire ICB",
    "QGH": "NHS Herefordshire and Worcestershire ICB",
    "QUA": "NHS Black Country ICB",
    "QOC": "NHS Shropshire, Telford and Wrekin ICB",
}

# ODS code: (name, ICB, sites, examinations 2022/23, imaging WTE, nuclear medicine,
#            CT, MRI, NOUS) from seed 004, appendix 1 (scanner counts from its dot charts).
TRUSTS: dict[str, tuple] = {
    "RQ3": (
        "Birmingham Women's and Children's NHS Foundation Trust",
        "QHL",
        2,
        148405,
        350,
        True,
        2,
        4,
        20,
    ),
    "RRK": (
        "University Hospitals Birmingham NHS Foundation Trust",
        "QHL",
        6,
        793755,
        1419,
        True,
        24,
        32,
        39,
    ),
    "RRJ": (
        "The Royal Orthopaedic Hospital NHS Foundation Trust",
        "QHL",
        1,
        64830,
        74,
        False,
        1,
        4,
        3,
    ),
    "RKB": (
        "University Hospitals Coventry and Warwickshire NHS Trust",
        "QWU",
        2,
        470150,
        670,
        True,
        8,
        8,
        28,
    ),
    "RJC": (
        "South Warwickshire University NHS Foundation Trust",
        "QWU",
        3,
        241645,
        225,
        False,
        2,
        2,
        12,
    ),
    "RLT": ("George Eliot Hospital NHS Trust", "QWU", 1, 161350, 203, False, 2, 2, 5),
    "RWP": ("Worcestershire Acute Hospitals NHS Trust", "QGH", 4, 733610, 584, True, 10, 4, 19),
    "RLQ": ("Wye Valley NHS Trust", "QGH", 2, 164285, 711, True, 4, 2, 20),
    "RJE": (
        "University Hospitals of North Midlands NHS Trust",
        "QNC",
        2,
        563520,
        1095,
        True,
        5,
        6,
        52,
    ),
    "RL4": ("The Royal Wolverhampton NHS Trust", "QUA", 2, 311835, 513, True, 6, 6, 12),
    "RBK": ("Walsall Healthcare NHS Trust", "QUA", 1, 210050, 185, True, 3, 2, 11),
    "RXK": (
        "Sandwell and West Birmingham Hospitals NHS Trust",
        "QUA",
        2,
        364565,
        433,
        True,
        6,
        2,
        50,
    ),
    "RNA": ("The Dudley Group NHS Foundation Trust", "QUA", 2, 314960, 400, True, 3, 4, 42),
    "RXW": (
        "The Shrewsbury and Telford Hospital NHS Trust",
        "QOC",
        2,
        306580,
        355,
        True,
        6,
        6,
        14,
    ),
    "RL1": (
        "The Robert Jones and Agnes Hunt Orthopaedic Hospital NHS Foundation Trust",
        "QOC",
        1,
        84975,
        119,
        False,
        1,
        3,
        4,
    ),
}

# CDC (seed 004 list): host Trust, ICB, delivery model, role. Host, model and role invented.
CDCS = [
    ("Cannock Chase Hospital CDC", "RL4", "QNC", "nhs", "spoke"),
    ("Corbett Hospital (Stourbridge) CDC", "RNA", "QUA", "nhs", "spoke"),
    ("Guest Hospital (Dudley) CDC", "RNA", "QUA", "nhs", "hub"),
    ("Coventry City Centre Health Facility CDC", "RKB", "QWU", "nhs", "hub"),
    ("Hospital of St Cross (Rugby) CDC", "RKB", "QWU", "nhs", "spoke"),
    ("Hereford CDC", "RLQ", "QGH", "nhs", "standalone"),
    ("Kidderminster Treatment Centre CDC", "RWP", "QGH", "nhs", "standalone"),
    ("Chelmsley Wood Shopping Centre (North Solihull) CDC", "RRK", "QHL", "nhs", "spoke"),
    ("South Birmingham CDC", "RRK", "QHL", "independent_sector", "standalone"),
    ("Stratford Hospital CDC", "RJC", "QWU", "nhs", "standalone"),
    ("Hollinswood House (Telford) CDC", "RXW", "QOC", "nhs", "standalone"),
    ("George Eliot Hospital CDC", "RLT", "QWU", "nhs", "standalone"),
    ("Washwood Heath CDC", "RRK", "QHL", "mixed", "hub"),
]
HUBS = {
    "Cannock Chase Hospital CDC": None,
    "Corbett Hospital (Stourbridge) CDC": "Guest Hospital (Dudley) CDC",
    "Hospital of St Cross (Rugby) CDC": "Coventry City Centre Health Facility CDC",
    "Chelmsley Wood Shopping Centre (North Solihull) CDC": "Washwood Heath CDC",
}

# Invented equipment: (modality, count, mobile, hours a week, examinations an hour).
EQUIPMENT = [
    ("ct", 1, False, Decimal("84"), Decimal("3.5")),
    ("mri", 1, False, Decimal("84"), Decimal("2")),
    ("nous", 3, False, Decimal("60"), Decimal("3")),
    ("xray", 1, False, Decimal("60"), Decimal("6")),
]


def _organisation(ods: str, name: str, kind: str):
    org = Organisation.objects.filter(ods_code=ods).first()
    if org:
        return org
    return Organisation.objects.get_or_create(ods_code=ods, defaults={"name": name, "kind": kind})[
        0
    ]


def _supplier(name: str, kind: str, by) -> Supplier:
    return services.ensure_supplier(name=name, kind=kind, by=by)


def _contract(organisation, reference: str, by, **fields: Any) -> Contract:
    existing = Contract.objects.filter(organisation=organisation, reference=reference).first()
    if existing:
        return services.update_contract(existing, by=by, **fields)
    return services.create_contract(
        organisation=organisation, reference=reference, by=by, **fields
    )


def _staffordshire(ssot, by) -> None:
    for ref, supplier, title, category, end in (
        (
            "SSOT-IS-001",
            "Diagnostic Healthcare Ltd",
            "Provision of MRI services",
            "mri",
            datetime.date(2027, 1, 31),
        ),
        (
            "SSOT-IS-002",
            "Harmonic Medical Sonography",
            "Provision of Non-Obstetric Ultrasound",
            "nous",
            datetime.date(2026, 3, 31),
        ),
        (
            "SSOT-IS-003",
            "Health Harmonie Ltd",
            "Provision of Non-Obstetric Ultrasound",
            "nous",
            datetime.date(2026, 3, 31),
        ),
    ):
        _contract(
            ssot,
            ref,
            by,
            supplier=_supplier(supplier, Supplier.Kind.INDEPENDENT_SECTOR, by),
            title=title,
            kind=Contract.Kind.INDEPENDENT_SECTOR,
            payment_basis=ZERO,
            value=Decimal("0.00"),
            categories=[category],
            end_date=end,
            owner=by,
            scope=f"{title} for Staffordshire and Stoke-on-Trent residents.",
            source=SEED_000,
            is_public=True,
        )


def record_changes(*, by, organisations: dict[str, Any]) -> None:
    """The invented extension and variation, recorded after the demo's letters were issued:
    Dudley's published response keeps the end date its letter gave (31 July 2028, as the
    Trust's real letter says), while the register and OCDS show the extension since."""
    _changes(organisations["RNA"], by)


def _changes(dudley, by) -> None:
    """Invented for the demo, so its OCDS has change releases: the Cobalt CT and MRI
    contract extended by a year, then a variation recorded afterwards but dated before it
    (a back-dated change, whose release must not renumber the extension's). Recorded once:
    changes are immutable."""
    contract = Contract.objects.get(organisation=dudley, reference="DGFT-INS-005")
    if contract.changes.exists():
        return
    services.record_contract_change(
        contract,
        kind="extension",
        effective_on=datetime.date(2026, 9, 1),
        new_end_date=datetime.date(2029, 7, 31),
        reason="Invented for the demo: extended by a year to cover the CDC's opening.",
        by=by,
    )
    services.record_contract_change(
        contract,
        kind="variation",
        effective_on=datetime.date(2026, 4, 1),
        reason="Invented for the demo: Saturday CT lists added from April, recorded late.",
        by=by,
    )


def _dudley(dudley, by) -> None:
    ins = Supplier.Kind.INSOURCING
    mediservices = _supplier("MediServices", ins, by)
    eighteen = _supplier("18 Week Support", ins, by)
    cobalt = _supplier("Cobalt", ins, by)
    tba = (
        "Currently undertaking a PSR Direct Award C; new end date to be agreed based upon "
        "ongoing service requirements (under review)."
    )
    common = dict(
        kind=Contract.Kind.INSOURCING,
        payment_basis=Contract.PaymentBasis.COST_PER_CASE,
        owner=by,
        is_public=True,
        # The Trust's published letter gives the reason the end dates are to be agreed.
        reasons_are_public=True,
        source=SEED_002,
    )
    _contract(
        dudley,
        "DGFT-INS-001",
        by,
        supplier=mediservices,
        title="Neurophysiology: EMG and NCS reporting",
        categories=["neurophysiology"],
        end_date=None,
        end_date_to_be_agreed=True,
        end_date_reason=tba,
        procurement_route=Contract.ProcurementRoute.PSR_DIRECT_AWARD_C,
        **common,
    )
    _contract(
        dudley,
        "DGFT-INS-002",
        by,
        supplier=mediservices,
        title="Trauma and orthopaedics: EMG-only reporting",
        categories=["trauma_orthopaedics", "neurophysiology"],
        end_date=None,
        end_date_to_be_agreed=True,
        end_date_reason=tba,
        procurement_route=Contract.ProcurementRoute.PSR_DIRECT_AWARD_C,
        **common,
    )
    _contract(
        dudley,
        "DGFT-INS-003",
        by,
        supplier=eighteen,
        title="Neurology outpatients",
        categories=["neurology"],
        end_date=datetime.date(2026, 3, 31),
        **common,
    )
    _contract(
        dudley,
        "DGFT-INS-004",
        by,
        supplier=eighteen,
        title="Gynaecology outpatients",
        categories=["gynaecology"],
        end_date=datetime.date(2026, 3, 31),
        **common,
    )
    _contract(
        dudley,
        "DGFT-INS-005",
        by,
        supplier=cobalt,
        title="CT and MRI scanning service",
        categories=["ct", "mri"],
        end_date=datetime.date(2028, 7, 31),
        **common,
    )
    # 2024/25: the total, and the providers used by specialty (amounts not itemised).
    services.record_spend(
        organisation=dudley,
        financial_year="2024/25",
        amount=Decimal("3091519.00"),
        kind=Contract.Kind.INSOURCING,
        source=f"Total clinical insourcing spend; {SEED_002}",
        reference="2024/25/actual/all/insourcing",
        by=by,
    )
    for supplier, category in (
        (cobalt, "ct"),
        (cobalt, "mri"),
        (eighteen, "neurology"),
        (mediservices, "neurology"),
        (_supplier("Health Now", ins, by), "cardiology"),
        (_supplier("Express Diagnostics", ins, by), "cardiology"),
    ):
        services.record_spend(
            organisation=dudley,
            financial_year="2024/25",
            amount=None,
            kind=Contract.Kind.INSOURCING,
            supplier=supplier,
            category=category,
            source=f"Provider used; spend held only as the total. {SEED_002}",
            by=by,
        )


def _west_midlands(organisations: dict[str, Any], by) -> None:
    icbs = {ods: _organisation(ods, name, "icb") for ods, name in ICBS.items()}
    icbs["QNC"] = organisations.get("QNC") or _organisation(
        "QNC", "Staffordshire and Stoke-on-Trent ICB", "icb"
    )
    trusts = {}
    for ods, (name, icb, sites, exams, wte, nm, ct, mri, nous) in TRUSTS.items():
        trust = organisations.get(ods) or _organisation(ods, name, "trust")
        trusts[ods] = trust
        services.record_imaging_profile(
            organisation=trust,
            year="2022/23",
            by=by,
            icb=icbs[icb],
            network="West Midlands Imaging Network",
            sites=sites,
            examinations=exams,
            imaging_staff_wte=Decimal(wte),
            nuclear_medicine=nm,
            ct_scanners=ct,
            mri_scanners=mri,
            nous_machines=nous,
            source=SEED_004,
        )
    made = {}
    for name, host, icb, model, role in CDCS:
        values = dict(
            host_trust=trusts[host],
            icb=icbs[icb],
            delivery_model=model,
            role=role,
            status=CommunityDiagnosticCentre.Status.OPEN,
            data_note=INVENTED,
            is_public=True,
        )
        cdc = CommunityDiagnosticCentre.objects.filter(name=name).first()
        if cdc:
            services.update_cdc(cdc, by=by, **values)
        else:
            cdc = services.create_cdc(name=name, by=by, **values)
        made[name] = cdc
    for spoke, hub in HUBS.items():
        if hub:
            services.update_cdc(made[spoke], by=by, hub=made[hub])
    _capacity(made, by)


def _capacity(cdcs: dict[str, CommunityDiagnosticCentre], by) -> None:
    """Invented equipment and six months of activity (Apr-Sep 2025), different per CDC so
    utilisation varies: plan at 90% of capacity, actual between 72% and 98%."""
    from contracts import capacity

    months = [datetime.date(2025, m, 1) for m in range(4, 10)]
    for n, cdc in enumerate(cdcs.values()):
        for modality, count, mobile, hours, per_hour in EQUIPMENT:
            if modality == "mri" and n % 4 == 3:
                mobile = True
            services.set_cdc_modality(
                cdc=cdc,
                modality=modality,
                equipment_count=count,
                mobile=mobile,
                hours_per_week=hours,
                examinations_per_hour=per_hour,
                by=by,
            )
        kit = {
            m.modality: [
                capacity.Equipment(m.equipment_count, m.hours_per_week, m.examinations_per_hour)
            ]
            for m in CdcModality.objects.filter(cdc=cdc)
        }
        for k, month in enumerate(months):
            for modality, equipment in kit.items():
                cap = capacity.monthly_capacity(equipment, month)
                share = Decimal(72 + (n * 7 + k * 5 + len(modality) * 3) % 27) / 100
                services.record_cdc_activity(
                    cdc=cdc,
                    modality=modality,
                    month=month,
                    by=by,
                    planned=int(cap * Decimal("0.9")),
                    actual=int(cap * share),
                    source=INVENTED,
                )


def load(*, by, organisations: dict[str, Any], with_changes: bool = True) -> None:
    """Load the demo registers; ``organisations`` maps ODS codes ('QNC', 'RNA') to rows.
    ``with_changes=False`` leaves the invented changes to ``record_changes``, which
    ``load_demo`` calls after the letters are issued."""
    ssot = organisations.get("QNC") or _organisation(
        "QNC", "Staffordshire and Stoke-on-Trent ICB", "icb"
    )
    dudley = organisations.get("RNA") or _organisation(
        "RNA", "The Dudley Group NHS Foundation Trust", "trust"
    )
    _staffordshire(ssot, by)
    _dudley(dudley, by)
    if with_changes:
        _changes(dudley, by)
    _west_midlands({**organisations, "QNC": ssot, "RNA": dudley}, by)
    # Seed 000: "There are no current plans for re-tendering." Kept as no open plan; the
    # abandoned row shows where a plan would go.
    if not PlannedProcurement.objects.filter(organisation=ssot).exists():
        services.create_planned_procurement(
            organisation=ssot,
            title="Non-obstetric ultrasound re-procurement (example, closed)",
            kind=Contract.Kind.INDEPENDENT_SECTOR,
            categories=["nous"],
            status=PlannedProcurement.Status.ABANDONED,
            notes=f"Example row. {SEED_000} states there are no current plans for re-tendering.",
            by=by,
        )
