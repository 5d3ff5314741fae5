"""The text a screen shows, line by line, read from Textual's own screenshot (public API)."""

from __future__ import annotations

import html
import re

from textual.app import App

_TEXT = re.compile(
    r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" '
    r'clip-path="url\(#[\w-]+-line-(\d+)\)">([^<]*)</text>'
)
_CELL = 12.2
"""Width of one terminal cell in Rich's SVG export."""


def screen_lines(app: App[object]) -> list[str]:
    """Every line of the current screen as plain text (cells placed by their column)."""
    rows: dict[int, dict[int, str]] = {}
    for x, line, text in _TEXT.findall(app.export_screenshot()):
        rows.setdefault(int(line), {})[round(float(x) / _CELL)] = html.unescape(text)
    lines = []
    for index in range(max(rows, default=-1) + 1):
        cells = rows.get(index, {})
        text = ""
        for column in sorted(cells):
            text = text.ljust(column) + cells[column]
        lines.append(text.replace("\xa0", " ").rstrip("\n"))
    return lines
