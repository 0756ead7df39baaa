"""The answers of a published response as its public page shows them: read from the
published letter's frozen content (the rendered answers and the frozen value of every live
block, as issued), never from the live registers, so the page says what the PDF says.

A response published without an issued letter (recorded before letters were drafted here)
shows the answers as the lead checked them (``DisclosureLogEntry.questions``).
"""

from __future__ import annotations

import html
import re
from typing import Any

from django.template.loader import render_to_string
from django.utils.html import strip_tags

# Block partials live in the letters app; a frozen template name outside it is not used.
BLOCK_TEMPLATE_PREFIX = "letters/blocks/"
# Blocks that render a table: wrapped in their own scrolling region on a narrow screen.
TABLE_BLOCKS = frozenset({"cdcs_hosted"})


def _block(block: dict[str, Any]) -> dict[str, Any]:
    template = str(block.get("template") or "")
    usable = template.startswith(BLOCK_TEMPLATE_PREFIX) and template.endswith(".html")
    return {
        "type": block.get("type", ""),
        "title": block.get("title", ""),
        "template": template if usable else "",
        "data": block.get("data") or {},
        "params": block.get("params") or {},
        "error": block.get("error", "") or ("" if usable else "not available"),
        "is_table": block.get("type") in TABLE_BLOCKS,
    }


def from_letter(content: dict[str, Any]) -> list[dict[str, Any]]:
    """The questions of an issued letter's frozen content, ready for the page."""
    out = []
    for q in content.get("questions") or []:
        out.append(
            {
                "number": q.get("number"),
                "text": q.get("text", ""),
                "answer_kind": q.get("answer_kind", ""),
                "answer_kind_label": q.get("answer_kind_label", ""),
                "standard_wording": q.get("standard_wording", ""),
                "public_interest_reasoning": q.get("public_interest_reasoning", ""),
                "answer": q.get("answer", ""),
                "elsewhere_url": q.get("elsewhere_url", ""),
                "exemptions": q.get("exemptions") or [],
                "blocks": [_block(b) for b in q.get("blocks") or []],
            }
        )
    return out


def from_snapshot(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The questions and answers as the lead checked them, when no letter was issued."""
    return [
        {
            "number": q.get("number"),
            "text": q.get("text", ""),
            "answer_kind": q.get("answer_kind", ""),
            "answer_kind_label": q.get("answer_kind_label", ""),
            "standard_wording": "",
            "public_interest_reasoning": "",
            "answer": q.get("answer", ""),
            "elsewhere_url": q.get("elsewhere_url", ""),
            "exemptions": q.get("exemptions") or [],
            "blocks": [],
        }
        for q in questions
    ]


def answers_for(*, letter_content: dict[str, Any] | None, snapshot: list) -> list[dict]:
    if letter_content and letter_content.get("questions"):
        return from_letter(letter_content)
    return from_snapshot(snapshot)


def _plain(rendered: str) -> str:
    """Text of rendered HTML; every tag is a word break ("<li>CT</li><li>MRI</li>")."""
    spaced = re.sub(r"(<[^>]*>)", r" \1 ", rendered)
    return re.sub(r"\s+", " ", html.unescape(strip_tags(spaced))).strip()


def answers_text(questions: list[dict[str, Any]]) -> str:
    """Every answer as plain text (standard wording, reasoning, the officer's text and each
    block's frozen content), one line per question: what search reads."""
    return "\n".join(
        _plain(render_to_string("disclosure/_answer.html", {"q": q})) for q in questions
    )
