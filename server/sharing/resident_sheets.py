"""Printed matter for residents: an invitation link's A5 sheet and a withdrawal receipt.

Everything a person typed (a label, a topic, a title, a name) is drawn as text with the
fonts' glyphs: nothing is read as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fpdf import FPDF
from fpdf.enums import WrapMode

from server.i18n import format_day
from server.sharing.fonts import font_files
from server.sharing.poster import draw_qr
from server.sharing.textfit import fit_lines, printable
from trails.i18n import render
from trails.messages import msg

FONT = "DejaVu"
A5_W, A5_H = 148.0, 210.0
MARGIN = 14.0
INK = (30, 36, 44)
MUTED = (96, 104, 112)


@dataclass(frozen=True)
class Words:
    """The fixed words of residents' printed matter in one language."""

    invited: str
    steps: tuple[str, str, str]
    receipt: str
    keep: str


def sheet_words(language: str) -> Words:
    """The fixed words of residents' printed matter in ``language``, from the catalogues."""
    return Words(
        invited=render(msg("invites you to tell a story"), language),
        steps=(
            render(msg("1. Scan the code with your phone, or type the address."), language),
            render(msg("2. Record your memory and give it a title."), language),
            render(msg("3. Choose what you agree to, then send it."), language),
        ),
        receipt=render(msg("Receipt for your contribution"), language),
        keep=render(
            msg(
                "Keep this receipt: this link, opened on any device, shows where your story "
                "stands and lets you withdraw it at any time."
            ),
            language,
        ),
    )


def sent_on(moment: datetime, language: str) -> str:
    """ "Sent on <date>", the date as ``language`` writes it."""
    return render(msg("Sent on {date}", date=format_day(moment.date(), language)), language)


def _new_pdf(title: str, lang: str) -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format="A5")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.c_margin = 0
    for style, path in font_files().items():
        pdf.add_font(FONT, style, str(path))
    pdf.set_font(FONT, size=11)
    pdf.set_title(printable(pdf, title))
    pdf.set_lang(lang)
    pdf.set_creator("Baladeur")
    pdf.add_page()
    return pdf


def _text(
    pdf: FPDF, text: str, y: float, size: float, *, bold: bool = False, lines: int = 3
) -> float:
    """Wrapped, centred text from ``y``; the y below it."""
    pdf.set_font(FONT, "B" if bold else "", size)
    width = A5_W - 2 * MARGIN
    wrapped, _ = fit_lines(pdf, printable(pdf, text), width, lines)
    line_h = size * 0.5
    for line in wrapped:
        pdf.set_xy(MARGIN, y)
        pdf.cell(width, line_h, line, align="C")
        y += line_h
    return y


def _url(pdf: FPDF, url: str, y: float) -> float:
    """The link in print, small enough to fit, cut at any character if it must wrap."""
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(*MUTED)
    width = A5_W - 2 * MARGIN
    pdf.set_xy(MARGIN, y)
    pdf.multi_cell(width, 4, url, align="C", wrapmode=WrapMode.CHAR)
    pdf.set_text_color(*INK)
    return pdf.get_y()


@dataclass(frozen=True)
class Sheet:
    """What an invitation link's sheet shows."""

    organisation: str
    label: str
    topic: str
    url: str
    lang: str


def invitation_sheet_pdf(sheet: Sheet) -> bytes:
    """An A5 sheet: who invites, about what, the QR code of the link, three steps, the link."""
    words = sheet_words(sheet.lang)
    pdf = _new_pdf(sheet.label or sheet.organisation, sheet.lang)
    pdf.set_text_color(*INK)
    y = _text(pdf, sheet.organisation, MARGIN, 18, bold=True, lines=2)
    y = _text(pdf, words.invited, y + 1, 11)
    for text in (sheet.topic, sheet.label):
        if text:
            y = _text(pdf, text, y + 3, 14, bold=True, lines=2)
    size = 70.0
    draw_qr(pdf, sheet.url, (A5_W - size) / 2, y + 6, size)
    y += size + 12
    for step in words.steps:
        pdf.set_font(FONT, "", 10)
        pdf.set_xy(MARGIN, y)
        pdf.multi_cell(A5_W - 2 * MARGIN, 5, printable(pdf, step), align="L")
        y = pdf.get_y() + 1.5
    _url(pdf, sheet.url, y + 3)
    return bytes(pdf.output())


@dataclass(frozen=True)
class Receipt:
    """What a withdrawal receipt shows."""

    organisation: str
    title: str
    submitted_at: datetime
    url: str
    lang: str


def withdrawal_receipt_pdf(receipt: Receipt) -> bytes:
    """A small receipt: the story's title, date, organisation, the withdrawal link and its QR."""
    words = sheet_words(receipt.lang)
    pdf = _new_pdf(words.receipt, receipt.lang)
    pdf.set_text_color(*INK)
    y = _text(pdf, words.receipt, MARGIN, 14, bold=True)
    y = _text(pdf, receipt.organisation, y + 2, 11)
    y = _text(pdf, receipt.title, y + 4, 13, bold=True, lines=4)
    y = _text(pdf, sent_on(receipt.submitted_at, receipt.lang), y + 2, 10)
    size = 60.0
    draw_qr(pdf, receipt.url, (A5_W - size) / 2, y + 6, size)
    y += size + 12
    pdf.set_font(FONT, "", 10)
    pdf.set_xy(MARGIN, y)
    pdf.multi_cell(A5_W - 2 * MARGIN, 5, printable(pdf, words.keep), align="C")
    _url(pdf, receipt.url, pdf.get_y() + 4)
    return bytes(pdf.output())
