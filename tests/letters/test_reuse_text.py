"""An earlier answer's text beside its re-pointed live blocks (README, "Reusing an earlier
answer"): when a block's "live on" date moves to today, the text's own mention of the old
date moves with it, but only where the match is exact and unambiguous; otherwise the text
is left and a note asks the officer to check it. Hand-made text and dates, every expected
sentence written out. No database."""

import datetime

import pytest

from foiregister.letters.reuse import retime_text

OLD = datetime.date(2025, 7, 22)
NEW = datetime.date(2026, 11, 30)
MOVES = {OLD: NEW}


@pytest.mark.parametrize(
    ("text", "expected", "old_written", "new_written"),
    [
        (
            "The live contracts on 22 July 2025 are listed below.",
            "The live contracts on 30 November 2026 are listed below.",
            "22 July 2025",
            "30 November 2026",
        ),
        ("As at 22nd Jul 2025:", "As at 30th Nov 2026:", "22nd Jul 2025", "30th Nov 2026"),
        ("Live on 22/07/2025.", "Live on 30/11/2026.", "22/07/2025", "30/11/2026"),
        ("Live on 22/7/2025.", "Live on 30/11/2026.", "22/7/2025", "30/11/2026"),
        ("Live on 2025-07-22.", "Live on 2026-11-30.", "2025-07-22", "2026-11-30"),
    ],
    ids=["long", "ordinal-abbreviated", "numeric", "numeric-unpadded", "iso"],
)
def test_the_old_live_on_date_written_once_moves_to_the_new_one(
    text, expected, old_written, new_written
):
    assert retime_text(text, MOVES) == (
        expected,
        [
            f"Text: \u201c{old_written}\u201d changed to \u201c{new_written}\u201d to match "
            "the live block's new date"
        ],
    )


def test_a_date_written_twice_is_left_for_the_officer_to_check():
    text = "Contracts live on 22 July 2025. The MRI contract was signed on 22/07/2025."
    assert retime_text(text, MOVES) == (
        text,
        [
            "Text: 22 July 2025 appears 2 times and was left as it is: check which should say "
            "30 November 2026, the date the live block now gives its figures for"
        ],
    )


def test_a_date_another_block_still_uses_is_left_for_the_officer_to_check():
    text = "Activity to 22 July 2025 and the contracts live that day are below."
    assert retime_text(text, MOVES, kept={OLD}) == (
        text,
        [
            "Text: 22 July 2025 left as it is, because another live block still uses that "
            "date: check whether it should say 30 November 2026, the date the moved block "
            "now gives its figures for"
        ],
    )


@pytest.mark.parametrize(
    "text",
    [
        "The contracts live in July 2025 are below.",  # no day: not this date
        "Contracts live on 21 July 2025.",  # another day
        "Reference 122 July 2025 and 22/07/20251.",  # inside longer numbers
        "From 2025-07-22-2025-08-01.",  # a range's start
        "On 7/22/2025 (written month first).",  # not a UK date
    ],
)
def test_anything_but_an_exact_match_is_left_alone_without_a_note(text):
    assert retime_text(text, MOVES) == (text, [])


def test_two_blocks_moved_from_different_dates_each_move_their_own():
    text = "Contracts live on 1 April 2025; insourcing contracts live on 22 July 2025."
    moves = {datetime.date(2025, 4, 1): NEW, OLD: NEW}
    new_text, notes = retime_text(text, moves)
    assert new_text == (
        "Contracts live on 30 November 2026; insourcing contracts live on 30 November 2026."
    )
    assert len(notes) == 2


def test_no_moved_date_leaves_the_text():
    assert retime_text("Contracts live on 22 July 2025.", {}) == (
        "Contracts live on 22 July 2025.",
        [],
    )
