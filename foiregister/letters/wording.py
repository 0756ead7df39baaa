"""Standard wording for answer kinds: the defaults, and the fixed placeholders an
organisation's own wording may use. Pure: no Django, no database."""

from __future__ import annotations

import re

# The only placeholders a wording may contain; filled by plain substitution, so an
# organisation's wording can never run code or reach data it was not given.
PLACEHOLDERS = {
    "organisation": "the organisation's name",
    "url": "the link, for information available elsewhere (s.21)",
    "sections": "the exemptions applied, e.g. 'section 43(2) (Commercial interests)'",
    "estimate_hours": "the s.12 estimate in hours (logged plus still to do)",
    "limit_hours": "the appropriate limit in hours (18 for NHS bodies)",
    "limit_pounds": "the appropriate limit in pounds (450 for NHS bodies)",
}

DEFAULTS = {
    "not_held": (
        "We have searched for this information and {organisation} does not hold it. "
        "Section 1(1)(a) of the Act requires us to tell you so."
    ),
    "elsewhere": (
        "This information is already published and reasonably accessible to you, so we are "
        "not providing it again (section 21 of the Act). You can find it at {url}"
    ),
    "exempt": (
        "We hold this information but are withholding it because it is exempt from "
        "disclosure under {sections} of the Act."
    ),
    "refused_s12": (
        "We estimate that answering this would take {estimate_hours} hours, more than the "
        "appropriate limit of {limit_hours} hours (£{limit_pounds}) that applies to NHS "
        "bodies, so section 12 of the Act does not oblige us to comply. To help you make a "
        "request we can answer within the limit (section 16):"
    ),
    "refused_s14": (
        "We are not obliged to comply with this request because section 14 of the Act "
        "applies to it."
    ),
    "no_plans": "{organisation} has no current plans to do so.",
}

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def unknown_placeholders(text: str) -> list[str]:
    return sorted({m for m in PLACEHOLDER.findall(text) if m not in PLACEHOLDERS})


def fill(text: str, values: dict[str, str]) -> str:
    """Replace each known ``{name}``; anything else is left exactly as typed."""
    return PLACEHOLDER.sub(
        lambda m: str(values.get(m[1], m[0])) if m[1] in PLACEHOLDERS else m[0], text
    )
