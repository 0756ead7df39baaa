"""Walk every admin page, widget, autocomplete and action as someone who must not see
another body's rows: an officer, lead, commissioner and administrator of another body, and
the commissioner and administrator of the victim's own body for its casework. The URLs
come from ``admin.site._registry`` and each admin's ``get_urls()``, so a new screen is
walked without being listed here (issue 11; issue 12 "must show")."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db.models import ForeignKey, ManyToManyField, OneToOneField
from django.test import Client, RequestFactory
from django.urls import reverse

from contracts import imports as contract_imports
from contracts import services as contract_services
from contracts.models import TrustImagingProfile
from foiregister.disclosure import export as disclosure_export
from foiregister.disclosure import services as disclosure_services
from foiregister.intake import services as intake_services
from foiregister.intake.models import Mailbox
from foiregister.kernel.admin import OrganisationScopedMixin
from foiregister.kernel.models import AuditEvent
from foiregister.kernel.roles import ADMINISTRATOR, COMMISSIONER, FOI_LEAD, FOI_OFFICER
from foiregister.letters import services as letter_services
from foiregister.letters.models import LetterDocument
from foiregister.requests import imports as foi_log_imports
from foiregister.requests import services as register_services
from foiregister.requests.models import Department, Request
from tests.factories import contracts as contract_factories
from tests.factories import foiregister as foiregister_factories
from tests.factories import letters as letter_factories

from .conftest import CANARY, member_of

# Rows any of the victim's own staff may read (the registers, its departments) carry their
# own canary: the victim's commissioner and administrator read them, outsiders never.
BODY_CANARY = "REGCANARYz3"

pytestmark = pytest.mark.django_db

# Django's own user and group screens: replaced by the staff-management work (issue 12
# item 1), which brings its own scoped admin; until then they are walked but not required
# to build on the kernel's base.
STOCK_ADMINS = {"auth.user", "auth.group"}
APPS = ("foiregister", "letters", "disclosure", "contracts", "metrics")


def _label(model) -> str:
    return model._meta.label_lower


def test_every_admin_and_inline_builds_on_the_access_gate():
    """A screen that forgets the gate is refused here, before anyone walks it."""
    unscoped = []
    for model, model_admin in admin.site._registry.items():
        if _label(model) in STOCK_ADMINS:
            continue
        if not isinstance(model_admin, OrganisationScopedMixin):
            unscoped.append(type(model_admin).__name__)
        for inline in model_admin.inlines:
            if not issubclass(inline, OrganisationScopedMixin):
                unscoped.append(f"{type(model_admin).__name__}.{inline.__name__}")
        if getattr(model_admin, "raw_id_fields", ()):
            unscoped.append(f"{type(model_admin).__name__} (raw_id_fields)")
    assert unscoped == []


# -- the victim's world --------------------------------------------------------------------


@pytest.fixture
def victim_world(
    other_organisation,
    victim_officer,
    victim_lead,
    victim_request,
    victim_wording,
    settings,
    tmp_path,
):
    """One row of every organisation-owned model the admin shows, each carrying the
    canary where a field could hold it; returns {model label: victim row pk}."""
    victim = other_organisation
    draft = letter_services.draft_letter(
        request=victim_request, kind="response", by=victim_officer, body=f"{CANARY} letter body"
    )
    second = letter_factories.answered_request(
        organisation=victim, officer=victim_officer, title=f"{CANARY} round robin"
    )
    batch = letter_services.start_batch_issue(
        source_request=victim_request, requests=[second], by=victim_lead
    )
    department = Department.objects.create(organisation=victim, name=f"{BODY_CANARY} Imaging")
    contribution = register_services.ask_department(
        request=victim_request,
        department=department,
        questions=list(victim_request.questions.all()),
        by=victim_officer,
        internal_due_on=datetime.date(2026, 1, 5),
    )
    private_name = disclosure_services.add_private_name(
        organisation=victim, name=f"{CANARY} Private Person", by=victim_lead
    )
    commissioner = member_of(victim, COMMISSIONER, "victim-commissioner")
    contract = contract_factories.contract(
        organisation=victim,
        by=commissioner,
        title=f"{BODY_CANARY} private MRI contract",
        reference=f"{BODY_CANARY}-C1",
        is_public=False,
    )
    spend = contract_services.record_spend(
        organisation=victim,
        financial_year="2024/25",
        amount=Decimal("3091519.00"),
        kind="insourcing",
        source=f"{BODY_CANARY} ledger",
        reference=f"{BODY_CANARY}-S1",
        contract=contract,
        by=commissioner,
    )
    planned = contract_services.create_planned_procurement(
        organisation=victim,
        title=f"{BODY_CANARY} planned CT",
        kind="independent_sector",
        by=commissioner,
    )
    cdc = contract_factories.cdc(
        host_trust=victim,
        icb=victim,
        by=commissioner,
        name=f"{BODY_CANARY} Town CDC",
        address=f"{BODY_CANARY} Hospital Road",
        is_public=False,
    )
    modality = contract_services.set_cdc_modality(
        cdc=cdc,
        modality="mri",
        equipment_count=2,
        hours_per_week=Decimal("60"),
        examinations_per_hour=Decimal("2"),
        by=commissioner,
    )
    activity = contract_services.record_cdc_activity(
        cdc=cdc,
        modality="mri",
        month=datetime.date(2025, 4, 1),
        planned=400,
        actual=300,
        source=f"{BODY_CANARY} return",
        by=commissioner,
    )
    job = contract_imports.create_job(
        organisation=victim,
        kind="contracts",
        filename=f"{BODY_CANARY}.csv",
        content=b"reference,title\n",
        by=commissioner,
    )
    foi_log_job = foi_log_imports.create_job(
        organisation=victim,
        filename=f"{BODY_CANARY}.csv",
        content=b"reference,regime,received,title\n",
        by=victim_lead,
    )
    profile = TrustImagingProfile.objects.create(
        organisation=victim,
        icb=victim,
        network=f"{BODY_CANARY} network",
        year="2024/25",
        sites=3,
    )
    # Closed in 2022: past the three-year retention period, so on the lead's erasure screen.
    due = foiregister_factories.log_request(
        organisation=victim,
        requester=foiregister_factories.RequesterFactory(
            organisation=victim, name=f"{CANARY} Erasable Requester"
        ),
        received_on=datetime.date(2022, 3, 1),
        title=f"{CANARY} due for erasure",
        by=victim_officer,
    )
    for status in (Request.Status.RESPONDED, Request.Status.CLOSED):
        register_services.change_status(
            request=due, to=status, on=datetime.date(2022, 3, 28), by=victim_officer
        )
    inbound, _ = intake_services.receive_message(
        organisation=victim,
        raw=(
            "Message-ID: <canary@mail.example.invalid>\nDate: Mon, 01 Sep 2025 09:15:00 +0100\n"
            f"From: {CANARY} Sender <canary@example.invalid>\nSubject: {CANARY} subject\n\n{CANARY} body\n"
        ).encode(),
        filename=f"{CANARY}.eml",
        by=victim_officer,
    )
    mailbox = Mailbox.objects.create(
        organisation=victim,
        host=f"{CANARY}.example",
        username=CANARY,
        password_env="VICTIM_MAILBOX",
    )
    standard = intake_services.save_standard_answer(
        organisation=victim,
        question=f"{CANARY} recurring question",
        answer=f"{CANARY} standard answer",
        by=victim_officer,
    )
    settings.MEDIA_ROOT = tmp_path
    victim_export = disclosure_export.start_export(
        organisation=victim, include_requesters=True, by=victim_lead
    )
    disclosure_export.run_export(export=victim_export)
    rows = {
        "intake.inboundmessage": inbound.pk,
        "intake.mailbox": mailbox.pk,
        "intake.standardanswer": standard.pk,
        "disclosure.organisationexport": victim_export.pk,
        "foiregister.request": victim_request.pk,
        "letters.requestdueforerasure": due.pk,
        "foiregister.requester": victim_request.requester_id,
        "foiregister.department": department.pk,
        # Not an admin of its own: the request admin's email and accept pages open it.
        "foiregister.contribution": contribution.pk,
        "foiregister.organisation": victim.pk,
        "letters.letter": draft.pk,
        "letters.answerblock": victim_request.questions.get(number=1).live_blocks.get().pk,
        "letters.answerwording": victim_wording.pk,
        "letters.batchissue": batch.pk,
        "disclosure.privatename": private_name.pk,
        "contracts.contract": contract.pk,
        "contracts.contractspend": spend.pk,
        "contracts.plannedprocurement": planned.pk,
        "contracts.communitydiagnosticcentre": cdc.pk,
        "contracts.cdcmodality": modality.pk,
        "contracts.cdcactivity": activity.pk,
        "contracts.importjob": job.pk,
        "foiregister.importjob": foi_log_job.pk,
        "contracts.trustimagingprofile": profile.pk,
        "foiregister.auditevent": AuditEvent.objects.filter(organisation_id=str(victim.pk))
        .latest("id")
        .pk,
    }
    return rows


# Install-wide reference data and the screens whose rows belong to no organisation: walked
# for canaries, but their rows are everyone's. A registered model in neither this set nor
# the world above fails the walk: add a victim row for it.
INSTALL_WIDE = {
    "foiregister.exemption",
    "foiregister.proclaimedholiday",
    "foiregister.deadlinerecomputation",
    "contracts.supplier",
    "metrics.dataset",
    "metrics.run",
    "metrics.result",
    "metrics.ratesratio",
    "disclosure.disclosurelogentry",  # published entries: public anyway; none in the world
    *STOCK_ADMINS,
}
# Which of the victim's canaries each walker must not see: casework for everyone outside the
# victim's FOI team; the registers for everyone outside the victim's body.
CASEWORK = {
    "foiregister.request",
    "letters.requestdueforerasure",
    "foiregister.requester",
    "letters.letter",
    "letters.answerblock",
    "letters.answerwording",
    "letters.batchissue",
    "disclosure.privatename",
    "disclosure.organisationexport",
}


def snapshot(labels: set[str], victim) -> dict[str, object]:
    """The rows of the models a walker must not change, and the victim's audit history,
    to show a POST changed nothing."""
    rows: dict[str, object] = {}
    for model in admin.site._registry:
        if _label(model) in labels:
            rows[_label(model)] = list(model._default_manager.order_by("pk").values())
    rows["documents"] = list(LetterDocument.objects.order_by("pk").values_list("pk", flat=True))
    rows["audit"] = [
        (event.pk, event.action)
        for event in AuditEvent.objects.filter(organisation_id=str(victim)).order_by("pk")
        if event.object_type.lower() in labels
    ]
    return rows


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _value(name: str, model_label: str, world: dict) -> str | None:
    if name in ("object_id", "pk", "id"):
        return str(world[model_label]) if model_label in world else None
    if name == "request_id":
        return str(world["foiregister.request"])
    if name == "contribution_id":
        return str(world["foiregister.contribution"])
    if name == "kind":
        return "response"
    if name == "variant":
        return LetterDocument.Variant.values[0]
    if name in ("number", "position"):  # the workspace's question and live block
        return "1"
    if name == "letter_id":
        return str(world["letters.letter"])
    if name == "action":
        return "approve"
    pytest.fail(f"teach the walker what to put in <{name}> ({model_label})")


def admin_urls(world: dict):
    """(model label, url, refers to a victim row) for every URL every registered admin
    declares, its parameters filled with the victim's rows."""
    for model, model_admin in admin.site._registry.items():
        label = _label(model)
        assert label in world or label in INSTALL_WIDE, f"no victim row for {label}"
        opts = model._meta
        base = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        for pattern in model_admin.get_urls():
            route = str(pattern.pattern)
            names = [m["name"] for m in PARAM.finditer(route)]
            values = {n: _value(n, label, world) for n in names}
            if any(v is None for v in values.values()):
                continue  # an install-wide model with no row to open
            path = PARAM.sub(lambda m, values=values: values[m["name"]], route)
            url = base + path.lstrip("^").rstrip("$")
            yield label, url, bool(names) and label in world


def autocomplete_urls():
    for model, model_admin in admin.site._registry.items():
        sources = [(model, model_admin.autocomplete_fields)] + [
            (inline.model, inline.autocomplete_fields) for inline in model_admin.inlines
        ]
        for source, fields in sources:
            for field in fields:
                for term in ("", CANARY, "FOI"):
                    yield (
                        "/admin/autocomplete/?"
                        f"app_label={source._meta.app_label}&model_name={source._meta.model_name}"
                        f"&field_name={field}&term={term}"
                    )


def _hostile_form_data(model, world: dict) -> dict:
    """An add form filled in with the victim's rows in every relation."""
    data = {}
    for field in model._meta.get_fields():
        if isinstance(field, ForeignKey | OneToOneField | ManyToManyField):
            target = _label(field.related_model)
            if target == "foiregister.organisation":
                data[field.name] = world["foiregister.organisation"]
            elif target in world:
                data[field.name] = world[target]
    return data


def walk(
    client: Client, user, world: dict, forbidden: set[str], canaries: tuple[str, ...]
) -> list[str]:
    """Every GET, POST, widget, autocomplete and action; returns what went wrong."""
    problems = []
    victim = world["foiregister.organisation"]
    before = snapshot(forbidden, victim)
    visited = 0

    def check(what, response, *, victim_row=False):
        nonlocal visited
        visited += 1
        body = _body(response).lower()
        for canary in canaries:
            if canary.lower().encode() in body:
                problems.append(f"{what}: {canary} in a {response.status_code} response")
        if victim_row and response.status_code == 200:
            problems.append(f"{what}: 200 for another body's row")

    for label, url, victim_row in admin_urls(world):
        secret = victim_row and label in forbidden
        check(f"GET {url}", client.get(url), victim_row=secret)
        check(f"POST {url}", client.post(url, {"post": "yes", "action": "publish"}))
        if url.endswith("/add/"):
            model = next(m for m in admin.site._registry if _label(m) == label)
            hostile = _hostile_form_data(model, world)
            query = "&".join(f"{k}={v}" for k, v in hostile.items())
            check(f"GET {url}?{query}", client.get(f"{url}?{query}"))
            check(f"POST {url} (victim's rows)", client.post(url, hostile))

    factory = RequestFactory()
    for model, model_admin in admin.site._registry.items():
        label = _label(model)
        if label not in forbidden:
            continue
        fake = factory.get("/")
        fake.user = user
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        for action in model_admin.get_actions(fake):
            for extra in ({}, {"select_across": "1"}):
                data = {"action": action, "_selected_action": [world[label]], "index": 0}
                check(f"action {action} on {url}", client.post(url, {**data, **extra}))

    for url in autocomplete_urls():
        check(f"GET {url}", client.get(url))

    if snapshot(forbidden, victim) != before:
        problems.append("a POST changed the database")
    assert visited > 100, f"only {visited} requests walked"
    return problems


OUTSIDERS = [FOI_OFFICER, FOI_LEAD, COMMISSIONER, ADMINISTRATOR]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_another_bodys_staff_find_nothing_of_the_victim_in_any_admin_page(
    role, organisation, victim_world
):
    user = member_of(organisation, role, f"outsider-{role.lower().replace(' ', '-')}")
    client = Client()
    client.force_login(user)
    problems = walk(
        client,
        user,
        victim_world,
        forbidden=set(victim_world),
        canaries=(CANARY, BODY_CANARY),
    )
    assert problems == []


@pytest.mark.parametrize("role", [COMMISSIONER, ADMINISTRATOR])
def test_the_victims_own_commissioner_and_administrator_find_none_of_its_casework(
    role, other_organisation, victim_world
):
    """They keep the registers; requests, requesters and letters are the FOI team's."""
    user = member_of(other_organisation, role, f"insider-{role.lower()}")
    client = Client()
    client.force_login(user)
    problems = walk(client, user, victim_world, forbidden=CASEWORK, canaries=(CANARY,))
    assert problems == []
