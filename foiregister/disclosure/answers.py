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


# -- the same answers for the API --------------------------------------------------------------
#
# The API gives each live block's frozen content as data as well as text. Only the values the
# page prints are given (``PUBLIC_BLOCK_FIELDS``): the frozen data went through the registers'
# publicity rule when the letter was issued, and the page is what the lead checked and
# published, so the API says no more than it. A value an older letter did not freeze is given
# as null (or an empty list), so every block of a type has the same shape.

CONTRACT_FIELDS = {
    "supplier": "",
    "title": "",
    "scope": "",
    "category_labels": [],
    "payment_basis": "",
    "payment_basis_label": "",
    "value": None,
    "value_withheld": False,
    "end_date": None,
    "end_date_to_be_agreed": False,
    "end_date_reason": "",
}
MODALITY_FIELDS = {
    "modality": "",
    "label": "",
    "months": 0,
    "capacity": None,
    "actual": None,
    "utilisation": None,
    "average_shortfall": None,
    "period_months": None,
    "activity_months": [],
    "activity_months_label": "",
}
CDC_FIELDS = {"name": "", "address": "", "postcode": "", "host_trust": "", "icb": ""}
PLAN_FIELDS = {
    "title": "",
    "status": "",
    "procurement_route": "",
    "expected_award": None,
    "expected_contract_start": None,
}


def _pick(row: Any, fields: dict[str, Any]) -> dict[str, Any]:
    row = row if isinstance(row, dict) else {}
    out = {}
    for name, default in fields.items():
        value = row.get(name, default)
        out[name] = list(value) if isinstance(default, list) and value is not None else value
    return out


def _rows(rows: Any, pick) -> list[dict[str, Any]]:
    return [pick(r) for r in rows or [] if isinstance(r, dict)]


def _contracts(rows: Any) -> list[dict[str, Any]]:
    return _rows(rows, lambda c: _pick(c, CONTRACT_FIELDS))


def _cdc(cdc: dict[str, Any]) -> dict[str, Any]:
    return {
        **_pick(cdc, CDC_FIELDS),
        "modalities": _rows(cdc.get("modalities"), lambda m: _pick(m, MODALITY_FIELDS)),
    }


PUBLIC_BLOCK_FIELDS = {
    "independent_sector_contracts": lambda d: {
        "active_on": d.get("active_on"),
        "contracts": _contracts(d.get("contracts")),
    },
    "live_insourcing_contracts": lambda d: {
        "on": d.get("on"),
        "suppliers": _rows(
            d.get("suppliers"),
            lambda s: {
                "supplier": s.get("supplier", ""),
                "contracts": _contracts(s.get("contracts")),
            },
        ),
    },
    "spend_total": lambda d: _pick(
        d,
        {"financial_year": "", "kind": "", "kind_label": "", "total": None, "reported": False},
    ),
    "insourcing_providers_by_specialty": lambda d: {
        "financial_year": d.get("financial_year", ""),
        "specialties": _rows(
            d.get("specialties"), lambda s: _pick(s, {"specialty": "", "providers": []})
        ),
    },
    "planned_procurements": lambda d: {
        "plans": _rows(d.get("plans"), lambda p: _pick(p, PLAN_FIELDS))
    },
    "cdcs_hosted": lambda d: {
        "organisation": d.get("organisation", ""),
        "start": d.get("start"),
        "end": d.get("end"),
        "cdcs": _rows(d.get("cdcs"), _cdc),
    },
    "standardised_imaging_rate": lambda d: {
        "intro": d.get("intro", ""),
        "rows": _rows(d.get("rows"), lambda r: _pick(r, {"label": "", "value": ""})),
        "empty": d.get("empty", ""),
        "note": d.get("note", ""),
    },
}
#: A frozen block of a type without a public shape here (one this version no longer has):
#: the API gives its text only.
OTHER = "other"


_LINE_END = re.compile(r"(</(?:p|li|tr|caption|h\d)>|<br\s*/?>)", re.IGNORECASE)


def _block_text(block: dict[str, Any], number: Any) -> str:
    """The block as text, a line for each paragraph, list item and table row (as the page
    sets them apart), the cells of a row separated by spaces."""
    rendered = render_to_string("disclosure/_block.html", {"b": block, "q": {"number": number}})
    one_line = rendered.replace("\r", " ").replace("\n", " ")
    lines = (_plain(part) for part in _LINE_END.sub("\\g<1>\n", one_line).split("\n"))
    return "\n".join(line for line in lines if line)


def public_block(block: dict[str, Any], *, number: Any) -> dict[str, Any]:
    """One block of a page answer (``from_letter``) as the API gives it: its type and title,
    whether its content is there, the text the page shows and the values it prints."""
    shape = PUBLIC_BLOCK_FIELDS.get(block["type"])
    available = not block["error"]
    return {
        "type": block["type"] if shape is not None else OTHER,
        "title": block["title"],
        "available": available,
        "text": _block_text(block, number),
        "data": shape(block["data"]) if available and shape is not None else None,
    }
