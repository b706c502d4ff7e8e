"""Bar charts drawn on the server as inline SVG: no JavaScript, nothing fetched.
Every bar carries a `<title>` (the browser's tooltip, read by screen readers)."""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 720, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 10, 24  # room for the axis labels
MAX_X_LABELS = 8


@dataclass
class Bar:
    label: str  # under the axis (some of them) and in the tooltip
    value: float
    text: str  # the value as a person reads it: "45%", "3"


def bar_chart(*, title: str, bars: list[Bar], maximum: float, axis: tuple[str, str]) -> SafeString:
    """`axis`: what the bottom and top grid lines read ("0%", "100%"); bars scale to `maximum`."""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(bars), 1)
    rects = []
    for index, bar in enumerate(bars):
        height = plot_height * min(bar.value / maximum, 1.0) if maximum > 0 else 0.0
        x, y = LEFT + index * slot + slot * 0.1, TOP + plot_height - height
        rects.append(
            (f"{x:.1f}", f"{y:.1f}", f"{max(slot * 0.8, 1.0):.1f}", f"{height:.1f}", bar.label, bar.text)
        )
    step = max(1, -(-len(bars) // MAX_X_LABELS))
    labels = [
        (f"{LEFT + index * slot + slot / 2:.1f}", bar.label)
        for index, bar in enumerate(bars)
        if index % step == 0
    ]
    return format_html(
        '<svg class="report-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" '
        'role="img" aria-label="{title}"><title>{title}</title>'
        '<line class="grid" x1="{left}" y1="{top}" x2="{right}" y2="{top}"/>'
        '<line class="axis" x1="{left}" y1="{base}" x2="{right}" y2="{base}"/>'
        '<text class="tick" x="{tick_x}" y="{top_text}" text-anchor="end">{high}</text>'
        '<text class="tick" x="{tick_x}" y="{base}" text-anchor="end">{low}</text>'
        "{rects}{labels}</svg>",
        w=WIDTH,
        h=HEIGHT,
        title=title,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        top_text=TOP + 4,
        base=TOP + plot_height,
        tick_x=LEFT - 6,
        low=axis[0],
        high=axis[1],
        rects=format_html_join(
            "",
            '<rect class="bar" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>',
            rects,
        ),
        labels=format_html_join(
            "",
            '<text class="label" x="{}" y="' + str(HEIGHT - 6) + '" text-anchor="middle">{}</text>',
            labels,
        ),
    )
