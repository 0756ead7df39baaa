"""Inline SVG charts of a run's results: pure Python, no Django and no plotting library.

* ``caterpillar_svg``: each area's standardised rate with its 95% (thick) and 99.8% (thin)
  limits, sorted, against the national rate (dashed line).
* ``funnel_svg``: each area's ratio (observed / expected) against its expected count, with
  95% and 99.8% control limits around 1 (England).

Both are accessible: ``role="img"`` labelled by a ``<title>`` and a ``<desc>`` that says in
words how many areas are above and below England; each area has a text label or a
``<title>`` with its figures, and the page shows the same numbers as a table. Colour is
never the only cue: the description and each mark's title say it too. Each area is one
element of class ``mark``.

Rows are dicts as ``metrics.selectors.run_results`` returns them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from . import core

HIGHER, LOWER, SIMILAR = "#a00054", "#005eb8", "#425563"  # NHS pink, blue, dark grey
FONT = 'font-family="Arial, Helvetica, sans-serif"'


def _fmt(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:,.1f}"
    return f"{x:,.2f}"


def _ticks(lo: float, hi: float, n: int = 6) -> list[float]:
    """About ``n`` round tick values covering [lo, hi]."""
    span = hi - lo if hi > lo else abs(hi) or 1.0
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.ceil(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step) + 1)]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "all"


def _verdict(row: dict[str, Any]) -> str:
    lo, up = row.get("ratio_lower998"), row.get("ratio_upper998")
    if lo is not None and lo > 1:
        return "higher"
    if up is not None and up < 1:
        return "lower"
    return "similar"


COLOUR = {"higher": HIGHER, "lower": LOWER, "similar": SIMILAR}
WORDS = {
    "higher": "above England (99.8% limits)",
    "lower": "below England (99.8% limits)",
    "similar": "not different from England at 99.8%",
}


def _summary(rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    counts = {"higher": 0, "lower": 0, "similar": 0}
    for r in rows:
        counts[_verdict(r)] += 1
    return counts


def _open(svg_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{svg_id}" class="metrics-chart" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{svg_id}-title {svg_id}-desc" {FONT} font-size="11">',
        f'<title id="{svg_id}-title">{escape(title)}</title>',
        f'<desc id="{svg_id}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def _legend(x: float, y: float) -> list[str]:
    parts = []
    for i, key in enumerate(("higher", "similar", "lower")):
        cx = x + i * 200
        parts.append(f'<circle cx="{cx:.1f}" cy="{y - 4:.1f}" r="4" fill="{COLOUR[key]}"/>')
        parts.append(f'<text x="{cx + 8:.1f}" y="{y:.1f}">{escape(WORDS[key])}</text>')
    return parts


def caterpillar_svg(
    rows: Sequence[dict[str, Any]],
    *,
    measure: str,
    unit: str = "per 10,000",
    period: str = "",
) -> str:
    """Standardised rates with 95% and 99.8% limits per area, sorted, against England."""
    rows = [r for r in rows if r.get("rate") is not None]
    rows.sort(key=lambda r: r["rate"])
    national = next((r["national_rate"] for r in rows if r.get("national_rate") is not None), None)
    svg_id = f"caterpillar-{_slug(measure)}"
    counts = _summary(rows)
    name = measure or "All activity"
    when = f", {period}" if period else ""
    title = f"{name}: standardised rate {unit} by area{when}"
    desc = (
        f"Caterpillar plot of {len(rows)} areas' indirectly standardised {name} rates {unit}, "
        f"lowest first, each with 95% (thick) and 99.8% (thin) confidence limits, against the "
        f"national rate of {_fmt(national)} (dashed line). {counts['higher']} areas are above "
        f"England and {counts['lower']} below at 99.8%; {counts['similar']} are not different."
    )
    left, right, top, row_h = 290, 30, 58, 15
    width = 800
    height = top + row_h * max(len(rows), 1) + 46
    values = [
        v
        for r in rows
        for v in (r.get("rate_lower998"), r.get("rate_upper998"), r["rate"])
        if v is not None and math.isfinite(v)
    ]
    if national is not None:
        values.append(national)
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    pad = (hi - lo) * 0.05 or max(abs(hi) * 0.05, 1.0)
    lo, hi = max(lo - pad, 0.0), hi + pad

    def sx(v: float) -> float:
        return left + (v - lo) / (hi - lo) * (width - left - right)

    out = _open(svg_id, width, height, title, desc)
    out.append(f'<text x="{left}" y="18" font-size="14" font-weight="bold">{escape(title)}</text>')
    out += _legend(left, 38)
    axis_y = top + row_h * max(len(rows), 1) + 4
    out.append('<g class="axis" stroke="#d8dde0">')
    for t in _ticks(lo, hi):
        out.append(f'<line x1="{sx(t):.1f}" y1="{top - 6}" x2="{sx(t):.1f}" y2="{axis_y}"/>')
    out.append("</g>")
    out.append('<g class="axis-labels" text-anchor="middle" fill="#425563">')
    for t in _ticks(lo, hi):
        out.append(f'<text x="{sx(t):.1f}" y="{axis_y + 14}">{_fmt(t)}</text>')
    out.append(
        f'<text x="{(left + width - right) / 2:.1f}" y="{axis_y + 32}">'
        f"Standardised rate {escape(unit)}</text></g>"
    )
    if national is not None:
        x = sx(national)
        out.append(
            f'<line class="national" x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{axis_y}" '
            f'stroke="#231f20" stroke-width="1.5" stroke-dasharray="5,3"/>'
        )
        out.append(
            f'<text x="{x + 4:.1f}" y="{top - 8}" fill="#231f20">England {_fmt(national)}</text>'
        )
    for i, r in enumerate(rows):
        y = top + row_h * i + row_h / 2
        verdict = _verdict(r)
        colour = COLOUR[verdict]
        tip = (
            f"{r['area']}: {_fmt(r['rate'])} {unit} (95% {_fmt(r.get('rate_lower95'))} to "
            f"{_fmt(r.get('rate_upper95'))}; 99.8% {_fmt(r.get('rate_lower998'))} to "
            f"{_fmt(r.get('rate_upper998'))}); {WORDS[verdict]}"
        )
        out.append(f'<g class="area" data-area={quoteattr(str(r["area"]))}>')
        out.append(f"<title>{escape(tip)}</title>")
        out.append(
            f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{escape(str(r["area"]))}</text>'
        )
        for lo_k, up_k, w in (
            ("rate_lower998", "rate_upper998", 1),
            ("rate_lower95", "rate_upper95", 4),
        ):
            a, b = r.get(lo_k), r.get(up_k)
            if a is not None and b is not None and math.isfinite(a) and math.isfinite(b):
                out.append(
                    f'<line x1="{sx(a):.1f}" y1="{y:.1f}" x2="{sx(b):.1f}" y2="{y:.1f}" '
                    f'stroke="{colour}" stroke-width="{w}" stroke-opacity="0.55"/>'
                )
        out.append(
            f'<circle class="mark" cx="{sx(r["rate"]):.1f}" cy="{y:.1f}" r="4" fill="{colour}" '
            f'stroke="#ffffff" stroke-width="1"/>'
        )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def funnel_svg(
    rows: Sequence[dict[str, Any]],
    *,
    measure: str,
    period: str = "",
) -> str:
    """Ratio (observed / expected) against expected count, with 95% and 99.8% control
    limits around 1: an area outside the outer funnel differs from England beyond chance."""
    rows = [
        r for r in rows if r.get("ratio") is not None and r.get("expected") and r["expected"] > 0
    ]
    svg_id = f"funnel-{_slug(measure)}"
    counts = _summary(rows)
    name = measure or "All activity"
    when = f", {period}" if period else ""
    title = f"{name}: standardised ratio against expected count{when}"
    desc = (
        f"Funnel plot of {len(rows)} areas' {name} ratio of observed to expected examinations "
        f"(1 = England) against the expected count, with 95% (inner) and 99.8% (outer) "
        f"control limits. {counts['higher']} areas lie above the outer funnel and "
        f"{counts['lower']} below it; {counts['similar']} lie within."
    )
    width, height = 800, 460
    left, right, top, bottom = 70, 30, 58, 60
    exp = np.array([r["expected"] for r in rows], dtype=float) if rows else np.array([1.0])
    e_lo, e_hi = float(exp.min()) * 0.9, float(exp.max()) * 1.05
    grid = np.linspace(max(e_lo, 1e-9), e_hi, 80)
    limits = {}
    for conf in core.CONFIDENCE_LEVELS:
        lo_c, up_c = core.poisson_limits(grid, confidence=conf)
        limits[conf] = (lo_c / grid, up_c / grid)
    ratios = [r["ratio"] for r in rows] or [1.0]
    y_lo = min(min(ratios), float(np.nanmin(limits[0.998][0])), 1.0)
    y_hi = max(max(ratios), float(np.nanmax(limits[0.998][1])), 1.0)
    pad = (y_hi - y_lo) * 0.06 or 0.1
    y_lo, y_hi = max(y_lo - pad, 0.0), y_hi + pad

    def sx(v: float) -> float:
        return left + (v - e_lo) / (e_hi - e_lo) * (width - left - right)

    def sy(v: float) -> float:
        return top + (y_hi - v) / (y_hi - y_lo) * (height - top - bottom)

    out = _open(svg_id, width, height, title, desc)
    out.append(f'<text x="{left}" y="18" font-size="14" font-weight="bold">{escape(title)}</text>')
    out += _legend(left, 38)
    out.append('<g class="axis" stroke="#d8dde0">')
    for t in _ticks(y_lo, y_hi):
        out.append(f'<line x1="{left}" y1="{sy(t):.1f}" x2="{width - right}" y2="{sy(t):.1f}"/>')
    out.append("</g>")
    out.append('<g class="axis-labels" fill="#425563">')
    for t in _ticks(y_lo, y_hi):
        out.append(f'<text x="{left - 6}" y="{sy(t) + 4:.1f}" text-anchor="end">{_fmt(t)}</text>')
    for t in _ticks(e_lo, e_hi, 5):
        out.append(
            f'<text x="{sx(t):.1f}" y="{height - bottom + 16}" text-anchor="middle">{_fmt(t)}</text>'
        )
    out.append(
        f'<text x="{(left + width - right) / 2:.1f}" y="{height - 16}" text-anchor="middle">'
        f"Expected examinations</text>"
    )
    out.append(
        f'<text x="16" y="{(top + height - bottom) / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 16 {(top + height - bottom) / 2:.1f})">'
        f"Ratio, observed / expected</text></g>"
    )
    for conf, dash in ((0.95, "4,3"), (0.998, "")):
        for side in limits[conf]:
            pts = " ".join(
                f"{sx(e):.1f},{sy(v):.1f}"
                for e, v in zip(grid, side, strict=True)
                if math.isfinite(v) and y_lo <= v <= y_hi
            )
            label = "95%" if conf == 0.95 else "99.8%"
            out.append(
                f'<polyline class="limit" points="{pts}" fill="none" stroke="#768692" '
                f'stroke-width="1.2"{f" stroke-dasharray={chr(34)}{dash}{chr(34)}" if dash else ""}>'
                f"<title>{label} control limit</title></polyline>"
            )
    out.append(
        f'<line class="national" x1="{left}" y1="{sy(1.0):.1f}" x2="{width - right}" '
        f'y2="{sy(1.0):.1f}" stroke="#231f20" stroke-width="1.5"/>'
    )
    out.append(
        f'<text x="{width - right}" y="{sy(1.0) - 4:.1f}" text-anchor="end">England = 1</text>'
    )
    for r in rows:
        verdict = _verdict(r)
        tip = (
            f"{r['area']}: ratio {_fmt(r['ratio'])}, observed {_fmt(r.get('observed'))}, "
            f"expected {_fmt(r['expected'])}; {WORDS[verdict]}"
        )
        out.append(
            f'<circle class="mark" data-area={quoteattr(str(r["area"]))} '
            f'cx="{sx(r["expected"]):.1f}" cy="{sy(r["ratio"]):.1f}" r="4.5" '
            f'fill="{COLOUR[verdict]}" fill-opacity="0.85" stroke="#ffffff">'
            f"<title>{escape(tip)}</title></circle>"
        )
        if verdict != "similar":  # outliers are labelled in text, not only by colour
            out.append(
                f'<text x="{sx(r["expected"]) + 6:.1f}" y="{sy(r["ratio"]) + 4:.1f}" '
                f'font-size="10">{escape(str(r["area"]))}</text>'
            )
    out.append("</svg>")
    return "\n".join(out)


CHARTS = {"caterpillar": caterpillar_svg, "funnel": funnel_svg}
