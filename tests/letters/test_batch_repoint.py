"""A batch copies the source request's answers the way a single earlier answer is taken
(README, "Batch issue" and "Reusing an earlier answer"): each live block is re-pointed to
the target organisation, a "live on" date moves to today, another body's CDCs are dropped
with a note, and the text's mention of the old "live on" date moves with it. The notes are
put in the letter's conversation, where the lead reads them before approving."""

import datetime

import pytest

from foiregister.kernel.audit import AuditAction
from foiregister.kernel.models import AuditEvent
from foiregister.letters import services
from foiregister.letters.models import Letter
from tests.factories import contracts as cf
from tests.letters.batch_fixtures import *  # noqa: F403 (the fixtures)

pytestmark = pytest.mark.django_db

SOURCE_TEXT = "The contracts live on 22 July 2025 are listed below."


def _long(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


@pytest.fixture
def repointing_batch(source, target_a, targets_b, support_officer, organisation):
    """The source's question 2 answered with the contracts live on 22 July 2025, and a
    CDC block naming the source organisation's own CDC."""
    cf.cdc(host_trust=organisation, icb=organisation, name="Home Town CDC", is_public=True)
    q2 = source.questions.get(number=2)
    services.set_answer(
        question=q2, by=support_officer, answer=SOURCE_TEXT, answer_kind="provided"
    )
    services.add_block(
        question=q2,
        block_type="independent_sector_contracts",
        params={"active_on": "2025-07-22"},
        by=support_officer,
    )
    services.add_block(
        question=q2,
        block_type="cdcs_hosted",
        params={
            "start": "2024-04-01",
            "end": "2025-03-31",
            "area": "hosted",
            "cdcs": ["Home Town CDC"],
        },
        by=support_officer,
    )
    return services.start_batch_issue(
        source_request=source, requests=[target_a, *targets_b], by=support_officer
    )


def test_the_batch_moves_a_live_on_date_to_today(repointing_batch, targets_b, today):
    services.run_batch_issue(batch=repointing_batch)
    q2 = targets_b[0].questions.get(number=2)
    contracts = q2.live_blocks.get(block_type="independent_sector_contracts")
    assert contracts.params["active_on"] == today.isoformat()


def test_the_batch_drops_another_bodys_cdcs_and_keeps_the_period(repointing_batch, targets_b):
    services.run_batch_issue(batch=repointing_batch)
    cdcs = targets_b[0].questions.get(number=2).live_blocks.get(block_type="cdcs_hosted")
    assert cdcs.params["cdcs"] == []
    assert (cdcs.params["start"], cdcs.params["end"]) == ("2024-04-01", "2025-03-31")


def test_the_same_bodys_copy_keeps_its_own_cdc(repointing_batch, target_a):
    services.run_batch_issue(batch=repointing_batch)
    cdcs = target_a.questions.get(number=2).live_blocks.get(block_type="cdcs_hosted")
    assert cdcs.params["cdcs"] == ["Home Town CDC"]


def test_the_texts_live_on_date_moves_with_the_block(repointing_batch, targets_b, today):
    services.run_batch_issue(batch=repointing_batch)
    q2 = targets_b[0].questions.get(number=2)
    assert q2.answer == f"The contracts live on {_long(today)} are listed below."


def test_the_notes_are_in_the_letters_conversation_and_the_audit(
    repointing_batch, targets_b, today, source
):
    services.run_batch_issue(batch=repointing_batch)
    letter = Letter.objects.get(batch=repointing_batch, request=targets_b[0])
    (note,) = letter.comments.filter(kind="comment")
    expected = [
        f"Live on moved to today ({today.day} {today:%b %Y}; was 22 Jul 2025)",
        "Only these CDCs: Home Town CDC dropped (another body's CDCs); the block lists every "
        "CDC your organisation hosts or serves",
        f"Text: \u201c22 July 2025\u201d changed to \u201c{_long(today)}\u201d to match the "
        "live block's new date",
    ]
    assert note.text.splitlines() == [
        f"Answers copied from {source.reference} by batch {repointing_batch.pk}; live blocks "
        "re-pointed to this organisation as at today:",
        *(f"Question 2: {line}" for line in expected),
    ]
    drafted = AuditEvent.objects.get(
        action=AuditAction.LETTER_BATCH_DRAFTED, object_id=str(letter.pk)
    )
    assert drafted.changes["notes"] == {"2": expected}
