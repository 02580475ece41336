"""A printable A4 festival poster for a trail: title, dates, description, QR code and map."""

from __future__ import annotations

import re

from fpdf import FPDF

from server.sharing.content import PosterContent, PosterStop, poster_content_from_source
from server.sharing.dates import format_validity
from server.sharing.fonts import font_files
from server.sharing.labels import poster_labels
from server.sharing.qr import QUIET_ZONE, make_qr
from server.sharing.routemap import MapStyle, draw_route_map, ground_aspect, map_height
from server.sharing.textfit import balanced_lines, bind_spaces, fit_lines, fit_size, printable, wrap

__all__ = ["PosterContent", "PosterStop", "poster_content_from_source", "poster_pdf"]

PAGE_W, PAGE_H = 210.0, 297.0
MARGIN = 18.0
CONTENT_W = PAGE_W - 2 * MARGIN
FONT = "DejaVu"
PT = 25.4 / 72  # millimetres per point

# A deep teal band with saffron accents: strong contrast for reading from a distance.
BAND = (16, 61, 70)
ACCENT = (242, 177, 52)
ROUTE = (214, 96, 58)
INK = (30, 36, 44)
MUTED = (96, 104, 112)
PALE = (200, 222, 226)
PAPER = (244, 240, 231)
WHITE = (255, 255, 255)

TITLE_SIZES = [44.0, 40.0, 36.0, 32.0, 28.0, 26.0]
MAP_STYLE = MapStyle(paper=PAPER, route=ROUTE, zone=BAND, marker=BAND, ink=INK)
QR_CARD_W = 80.0
LONE_QR_CARD_W = 112.0
MIN_QR_CARD_W = 60.0
SCAN_PT = 15.0
COLUMN_GAP = 9.0
FOOTER_H = 12.0
LEGEND_LINE_H = 6.4
MIN_MAP_H = 60.0
# "Arrêt 3 — Le quartier" beside a marker numbered 3 reads better as "Le quartier".
_NUMBERED_TITLE = re.compile(r"^\s*\w+\.?\s*(\d+)\s*[\u2014\u2013:.-]\s*(.+)$")


def _new_pdf(content: PosterContent) -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.c_margin = 0
    for style, path in font_files().items():
        pdf.add_font(FONT, style, str(path))
    pdf.set_font(FONT, size=12)
    pdf.set_title(printable(pdf, content.title))
    pdf.set_lang(content.language)
    pdf.set_creator("Baladeur")
    pdf.add_page()
    return pdf


def _lines(
    pdf: FPDF,
    lines: list[str],
    x: float,
    y: float,
    line_h: float,
    w: float = CONTENT_W,
    align: str = "L",
) -> float:
    """Write lines from top ``y``; return the y below the last one."""
    for line in lines:
        pdf.set_xy(x, y)
        pdf.cell(w, line_h, line, align=align)
        y += line_h
    return y


def _header(pdf: FPDF, content: PosterContent) -> float:
    """The coloured band: kicker, title, dates. Returns the band's bottom edge."""
    labels = poster_labels(content.language)
    kicker = printable(pdf, content.organisation or "") or labels.kicker
    title = bind_spaces(printable(pdf, content.title) or content.title)
    dates = format_validity(
        content.valid_from, content.valid_until, content.timezone, content.language
    )

    # Lay out first, then paint the band to the height the text needs.
    pdf.set_font(FONT, "B", 12)
    kicker_lines, _ = fit_lines(pdf, kicker.upper(), CONTENT_W - 10, 1)
    pdf.set_font(FONT, "B")
    title_size, title_lines = fit_size(pdf, title, CONTENT_W, 3, TITLE_SIZES)
    title_lh = title_size * PT * 1.12
    date_size = 22.0
    top = MARGIN + 2
    title_top = top + 12 * PT * 1.2 + 6
    bottom = title_top + title_lh * len(title_lines)
    if dates:
        bottom += 5 + date_size * PT * 1.2
    band_bottom = bottom + 13

    with pdf.local_context(fill_color=BAND):
        pdf.rect(0, 0, PAGE_W, band_bottom, style="F")
    with pdf.local_context(fill_color=ACCENT):
        pdf.rect(MARGIN, top - 6, 14, 1.6, style="F")

    pdf.set_text_color(*ACCENT)
    pdf.set_font(FONT, "B", 12)
    with pdf.local_context(char_spacing=1.5):
        _lines(pdf, kicker_lines, MARGIN, top, 12 * PT * 1.2)
    pdf.set_text_color(*WHITE)
    pdf.set_font(FONT, "B", title_size)
    y = _lines(pdf, title_lines, MARGIN, title_top, title_lh)
    if dates:
        pdf.set_text_color(*ACCENT)
        pdf.set_font(FONT, "B", date_size)
        _lines(pdf, [dates[0].upper() + dates[1:]], MARGIN, y + 5, date_size * PT * 1.2)
    return band_bottom


def _description(pdf: FPDF, content: PosterContent, top: float) -> float:
    """The description, at most five lines, cut at a word; returns the y below it."""
    pdf.set_font(FONT, "", 13)
    line_h = 13 * PT * 1.45
    text = printable(pdf, content.description)
    if not text:
        return top
    lines, _ = fit_lines(pdf, bind_spaces(" ".join(text.split("\n"))), CONTENT_W, 5)
    pdf.set_text_color(*INK)
    return _lines(pdf, lines, MARGIN, top, line_h)


def draw_qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """The QR code as vector squares on a white square of ``size`` that includes the quiet zone."""
    qr = make_qr(url)
    modules = len(qr.matrix)
    unit = size / (modules + 2 * QUIET_ZONE)
    with pdf.local_context(fill_color=WHITE):
        pdf.rect(x, y, size, size, style="F", round_corners=True, corner_radius=2)
    # One path for all modules: no hairline seams between neighbouring squares.
    with pdf.new_path() as path:
        path.style.fill_color = "#000000"
        path.style.stroke_color = None
        path.style.auto_close = False
        for row, bits in enumerate(qr.matrix):
            col = 0
            while col < modules:
                if not bits[col] & 1:
                    col += 1
                    continue
                start = col
                while col < modules and bits[col] & 1:
                    col += 1
                path.rectangle(
                    x + (QUIET_ZONE + start) * unit,
                    y + (QUIET_ZONE + row) * unit,
                    (col - start) * unit,
                    unit,
                )


def _url_lines(pdf: FPDF, url: str, width: float) -> list[str]:
    """The link on one line if a readable size allows, else wrapped; never cut."""
    for size in (10.0, 9.0, 8.0):
        pdf.set_font(FONT, "", size)
        if pdf.get_string_width(url) <= width:
            return [url]
    # Break after slashes rather than inside words.
    return [line.replace("/\u200b", "/") for line in wrap(pdf, url.replace("/", "/\u200b"), width)]


def _qr_card(
    pdf: FPDF, content: PosterContent, x: float, y: float, w: float, dry_run: bool = False
) -> float:
    """A teal card: call to scan, the QR code on white, the link. Returns its height."""
    labels = poster_labels(content.language)
    pad = 6.0
    inner = w - 2 * pad
    pdf.set_font(FONT, "B", SCAN_PT)
    scan_lines = balanced_lines(pdf, labels.scan, inner, 3)
    scan_lh = SCAN_PT * PT * 1.2
    pdf.set_font(FONT, "", 10)
    url_lines = _url_lines(pdf, content.url, inner)
    url_size = pdf.font_size_pt
    url_lh = url_size * PT * 1.35
    height = pad + len(scan_lines) * scan_lh + 4 + inner + 4 + len(url_lines) * url_lh + pad
    if dry_run:
        return height

    with pdf.local_context(fill_color=BAND):
        pdf.rect(x, y, w, height, style="F", round_corners=True, corner_radius=3)
    pdf.set_text_color(*WHITE)
    pdf.set_font(FONT, "B", SCAN_PT)
    cy = _lines(pdf, scan_lines, x + pad, y + pad, scan_lh, inner, "C")
    draw_qr(pdf, content.url, x + pad, cy + 4, inner)
    pdf.set_text_color(*PALE)
    pdf.set_font(FONT, "", url_size)
    _lines(pdf, url_lines, x + pad, cy + 4 + inner + 4, url_lh, inner, "C")
    return height


def _card_width(pdf: FPDF, content: PosterContent, preferred: float, room: float) -> float:
    """The widest QR card, up to ``preferred``, whose height fits in ``room``."""
    width = preferred
    while width > MIN_QR_CARD_W and _qr_card(pdf, content, 0, 0, width, dry_run=True) > room:
        width -= 4
    return max(width, MIN_QR_CARD_W)


def _stop_label(stop: PosterStop) -> str:
    match = _NUMBERED_TITLE.match(stop.title)
    if match and int(match.group(1)) == stop.number:
        return match.group(2)
    return stop.title


def _legend_columns(count: int, room: float) -> int:
    """One column of stop names when they fit under a map of useful size, else two."""
    return 1 if count * LEGEND_LINE_H + 4 + MIN_MAP_H <= room else 2


def _legend(
    pdf: FPDF, stops: tuple[PosterStop, ...], box: tuple[float, float, float, float], columns: int
) -> None:
    """Numbered stop names under the map, as many as fit; the rest summed up as "+ N"."""
    x, y, w, h = box
    rows = max(1, int(h // LEGEND_LINE_H))
    per_column = min(rows, -(-len(stops) // columns))
    slots = per_column * columns
    shown = stops if len(stops) <= slots else stops[: slots - 1]
    col_w = w / columns
    d = 4.6
    for i, stop in enumerate(shown):
        col, row = divmod(i, per_column)
        lx, ly = x + col * col_w, y + row * LEGEND_LINE_H
        baseline = ly + LEGEND_LINE_H / 2 + 1.3
        with pdf.local_context(fill_color=BAND):
            pdf.ellipse(lx, ly + (LEGEND_LINE_H - d) / 2, d, d, style="F")
        label = str(stop.number)
        pdf.set_font(FONT, "B", 6 if len(label) > 2 else 8)
        pdf.set_text_color(*WHITE)
        pdf.text(lx + d / 2 - pdf.get_string_width(label) / 2, baseline - 0.2, label)
        pdf.set_font(FONT, "", 10)
        pdf.set_text_color(*INK)
        name, _ = fit_lines(pdf, printable(pdf, _stop_label(stop)), col_w - d - 5, 1)
        if name:
            pdf.text(lx + d + 2.2, baseline, name[0])
    if len(shown) < len(stops):
        col, row = divmod(len(shown), per_column)
        pdf.set_font(FONT, "B", 10)
        pdf.set_text_color(*MUTED)
        pdf.text(
            x + col * col_w + d + 2.2,
            y + row * LEGEND_LINE_H + LEGEND_LINE_H / 2 + 1.3,
            f"+ {len(stops) - len(shown)}",
        )


def _footer(pdf: FPDF, content: PosterContent) -> None:
    labels = poster_labels(content.language)
    y = PAGE_H - MARGIN
    with pdf.local_context(draw_color=PAPER, line_width=0.5):
        pdf.line(MARGIN, y - 8, PAGE_W - MARGIN, y - 8)
    pdf.set_font(FONT, "B", 12)
    pdf.set_text_color(*BAND)
    pdf.set_xy(MARGIN, y - 6)
    pdf.cell(CONTENT_W, 6, f"{labels.free}  ·  {labels.headphones}", align="L")
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(MARGIN, y - 6)
    pdf.cell(CONTENT_W, 6, "Baladeur", align="R")


def poster_pdf(content: PosterContent) -> bytes:
    """Render ``content`` as a one-page A4 portrait PDF."""
    pdf = _new_pdf(content)
    band_bottom = _header(pdf, content)
    top = _description(pdf, content, band_bottom + 10) + 9
    bottom = PAGE_H - MARGIN - FOOTER_H
    aspect = ground_aspect(content.route, content.stops)
    if aspect is None:
        # Nothing to map: the QR code takes the stage, centred in the room left.
        card_w = _card_width(pdf, content, LONE_QR_CARD_W, bottom - top)
        height = _qr_card(pdf, content, 0, 0, card_w, dry_run=True)
        card_top = top + max(0.0, (bottom - top - height) / 2)
        _qr_card(pdf, content, (PAGE_W - card_w) / 2, card_top, card_w)
    else:
        card_w = _card_width(pdf, content, QR_CARD_W, bottom - top)
        map_w = CONTENT_W - card_w - COLUMN_GAP
        natural = map_height(MAP_STYLE, map_w, aspect)
        count = len(content.stops)
        columns = _legend_columns(count, bottom - top)
        legend_h = -(-count // columns) * LEGEND_LINE_H + 4 if count else 0.0
        map_h = max(MIN_MAP_H, min(natural, bottom - top - legend_h))
        draw_route_map(pdf, (MARGIN, top, map_w, map_h), content.route, content.stops, MAP_STYLE)
        if count:
            legend_top = top + map_h + 4
            _legend(pdf, content.stops, (MARGIN, legend_top, map_w, bottom - legend_top), columns)
        _qr_card(pdf, content, MARGIN + map_w + COLUMN_GAP, top, card_w)
    _footer(pdf, content)
    return bytes(pdf.output())
