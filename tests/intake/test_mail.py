"""Reading an email into a request's parts (pure: no database)."""

import datetime
from pathlib import Path

import pytest

from foiregister.intake import mail

EMAILS = Path(__file__).resolve().parent.parent / "data" / "intake" / "emails"


def _parse(name):
    return mail.parse_message((EMAILS / name).read_bytes(), filename=name)


def test_the_date_header_gives_the_time_sent():
    parsed = _parse("new_request_plain.eml")
    # 09:15 at +01:00 is 08:15 UTC
    assert parsed.sent_at.astimezone(datetime.UTC) == datetime.datetime(
        2025, 9, 1, 8, 15, tzinfo=datetime.UTC
    )


def test_the_sender_and_message_id_are_read():
    parsed = _parse("new_request_plain.eml")
    assert (parsed.sender_name, parsed.sender_email) == (
        "Alex Example",
        "alex.example@example.invalid",
    )
    assert parsed.message_id == "<pa-request-1@mail.example.invalid>"


def test_the_sign_off_and_the_requesters_details_are_set_aside():
    parsed = _parse("new_request_plain.eml")
    assert "07700" not in parsed.body
    assert "Yours faithfully" not in parsed.body
    assert "07700 900123" in parsed.signature


def test_an_html_body_becomes_text_and_its_list_becomes_questions():
    parsed = _parse("new_request_html.eml")
    assert "<li>" not in parsed.body
    assert mail.split_questions(parsed.body) == [
        "Which suppliers provide your interpreting services?",
        "When does the current interpreting contract end?",
    ]


def test_attachments_are_kept_with_their_names():
    parsed = _parse("new_request_html.eml")
    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("earlier-letter.pdf", "application/pdf")
    ]
    assert parsed.attachments[0].data.startswith(b"%PDF-1.4")


def test_a_quoted_earlier_message_is_set_aside():
    parsed = _parse("clarification_reply.eml")
    assert parsed.body == 'By "policies" I mean the trust-wide policy only, not ward guidance.'
    assert "Could you clarify" in parsed.quoted
    assert parsed.thread_ids == ("<pa-request-1@mail.example.invalid>",)


def test_an_out_of_office_reply_is_recognised():
    assert _parse("out_of_office.eml").auto_reply
    assert not _parse("new_request_plain.eml").auto_reply


def test_a_message_without_a_date_is_refused_naming_the_file_and_header():
    with pytest.raises(mail.MessageError, match=r"no_date\.eml, header Date: missing"):
        _parse("no_date.eml")


def test_an_empty_file_is_refused():
    with pytest.raises(mail.MessageError, match="empty.eml: the file is empty"):
        mail.parse_message(b"", filename="empty.eml")


def test_an_executable_attachment_is_refused():
    raw = (EMAILS / "new_request_html.eml").read_bytes().replace(b"earlier-letter.pdf", b"run.exe")
    with pytest.raises(mail.MessageError, match="attachment run.exe"):
        mail.parse_message(raw, filename="x.eml")


def test_numbered_questions_are_split_with_their_continuation_lines():
    text = "Please answer:\n1) How many scanners?\n2) Please send the policy\non supervision.\n\nThanks"
    assert mail.split_questions(text) == [
        "How many scanners?",
        "Please send the policy on supervision.",
    ]


def test_a_text_without_a_list_is_one_question():
    assert mail.split_questions("How many MRI scanners\ndo you have?") == [
        "How many MRI scanners do you have?"
    ]
