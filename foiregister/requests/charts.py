"""SVG charts of the FOI statistics, drawn by pygal.

pygal (Kozea, who also make WeasyPrint) was chosen over matplotlib's SVG backend because it
writes SVG natively, is pure Python with no compiled dependencies or font cache, and its
charts carry titles and labels as text. Its interactive script is switched off (``js=[]``):
the charts are embedded as ``<img>`` data URIs, which the content security policy allows
(``img-src data:``) and WeasyPrint draws in the board report. Every chart has an alt text
and the page shows the same numbers in a table beside it, so colour is never the only cue.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import pygal
from pygal.style import Style

NHS_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#212b32",
    foreground_strong="#212b32",
    foreground_subtle="#425563",
    colors=("#005eb8", "#a00054", "#ffb81c", "#009639", "#425563", "#41b6e6", "#ed8b00"),
    font_family="Arial, Helvetica, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    title_font_size=15,
    value_font_size=11,
)


@dataclass(frozen=True)
class Chart:
    title: str
    alt: str
    svg: bytes

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg).decode("ascii")


def _config(title: str, **kwargs) -> dict:
    return dict(
        title=title,
        style=NHS_STYLE,
        js=[],
        width=720,
        height=360,
        print_values=True,
        print_zeroes=False,
        legend_at_bottom=True,
        disable_xml_declaration=False,
        **kwargs,
    )


def _render(chart, title: str, alt: str) -> Chart:
    # pygal writes its tooltip configuration as an inline script even with js=[]: an image
    # never runs it, and the chart is cleaner without it.
    svg = re.sub(rb"<script.*?</script>", b"", chart.render(), flags=re.S)
    return Chart(title=title, alt=alt, svg=svg)


def quarters_chart(rows: list[tuple[str, dict]]) -> Chart:
    """This quarter against the last four: responded in time, late, open and overdue."""
    title = "Requests by quarter received: in time, late, overdue"
    chart = pygal.StackedBar(**_config(title, x_label_rotation=0))
    chart.x_labels = [label for label, _ in rows]
    for key, name in (("in_time", "In time"), ("late", "Late"), ("open_overdue", "Overdue")):
        chart.add(name, [figures[key] for _, figures in rows])
    alt = "; ".join(
        f"{label}: {f['in_time']} in time, {f['late']} late, {f['open_overdue']} overdue"
        + (f" ({f['in_time_percent']}% in time)" if f["in_time_percent"] is not None else "")
        for label, f in rows
    )
    return _render(chart, title, alt)


def bar_chart(title: str, counts: dict[str, int], *, horizontal: bool = True) -> Chart:
    chart = (pygal.HorizontalBar if horizontal else pygal.Bar)(**_config(title, show_legend=False))
    # pygal draws a horizontal chart's first label at the bottom: reverse, so it reads
    # from the top in the order given.
    items = list(reversed(counts.items())) if horizontal else list(counts.items())
    chart.x_labels = [k for k, _ in items]
    chart.add(title, [v for _, v in items])
    alt = f"{title}: " + ("; ".join(f"{k}: {v}" for k, v in counts.items()) or "none")
    return _render(chart, title, alt)
