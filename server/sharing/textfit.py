"""Fitting text into a box on a PDF page: missing glyphs dropped, long text cut at a word."""

from __future__ import annotations

import re

from fpdf import FPDF

ELLIPSIS = "…"
_SPACES = re.compile(r"[ \t]+")


def printable(pdf: FPDF, text: str) -> str:
    """``text`` without the characters the current font cannot draw (emoji), spaces tidied."""
    cmap = getattr(pdf.current_font, "cmap", None)
    if cmap is not None:
        text = "".join(ch for ch in text if ch in "\n" or ord(ch) in cmap)
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r", "").split("\n"))
    return "\n".join(line for line in lines if line)


def wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """Lines of ``text`` word-wrapped to ``width`` in the current font."""
    if not text:
        return []
    lines = pdf.multi_cell(width, text=text, dry_run=True, output="LINES", align="L")
    assert isinstance(lines, list)
    return [line.rstrip() for line in lines]


def fit_lines(pdf: FPDF, text: str, width: float, max_lines: int) -> tuple[list[str], bool]:
    """At most ``max_lines`` wrapped lines; if cut, the last ends at a word with an ellipsis."""
    lines = wrap(pdf, text, width)
    if len(lines) <= max_lines:
        return lines, False
    kept = lines[:max_lines]
    last = kept[-1]
    while last and pdf.get_string_width(last + ELLIPSIS) > width:
        last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
    kept[-1] = last.rstrip(" ,;:.-\u2013\u2014") + ELLIPSIS
    return kept, True


def fit_size(
    pdf: FPDF, text: str, width: float, max_lines: int, sizes: list[float]
) -> tuple[float, list[str]]:
    """The largest of ``sizes`` (points, descending) at which the text fits; else the last, cut."""
    for size in sizes:
        pdf.set_font_size(size)
        lines, cut = fit_lines(pdf, text, width, max_lines)
        if not cut:
            return size, lines
    return sizes[-1], lines


def balanced_lines(pdf: FPDF, text: str, width: float, max_lines: int) -> list[str]:
    """Like :func:`fit_lines`, but with lines of even length instead of one long and one short."""
    lines, cut = fit_lines(pdf, text, width, max_lines)
    if cut or len(lines) < 2:
        return lines
    # The narrowest width that still needs no more lines gives the most even break.
    low, high = width / 2, width
    for _ in range(12):
        middle = (low + high) / 2
        if len(wrap(pdf, text, middle)) <= len(lines):
            high = middle
        else:
            low = middle
    return wrap(pdf, text, high)


_NO_BREAK = [
    # A spaced dash stays with the word before it, so no line starts with a dash.
    (re.compile(" ([\u2013\u2014]) "), "\u00a0\\1 "),
    # A number stays with its unit: "2 km", "45 min".
    (re.compile(r"(\d) (?=(?:km|m|min|h|mi)\b)"), "\\1\u00a0"),
    # French spacing before high punctuation and inside guillemets.
    (re.compile(" ([;:!?\u00bb])"), "\u00a0\\1"),
    (re.compile("\u00ab "), "\u00ab\u00a0"),
]


def bind_spaces(text: str) -> str:
    """Make the spaces that must not become line breaks non-breaking."""
    for pattern, replacement in _NO_BREAK:
        text = pattern.sub(replacement, text)
    return text
