"""A small map of a trail for the poster: route, zones, numbered stops, scale bar, north arrow."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF

from server.sharing.content import PosterStop
from trails.geo import EARTH_RADIUS_M

Colour = tuple[int, int, int]
_METRES_PER_DEGREE = math.pi / 180 * EARTH_RADIUS_M
# A lone stop would otherwise fill the whole box: show at least this much ground.
MIN_EXTENT_M = 250.0
_NICE_LENGTHS_M = [m * 10**e for e in range(0, 7) for m in (1, 2, 5)]


@dataclass(frozen=True)
class MapStyle:
    """Colours and sizes of the map drawing, in millimetres."""

    paper: Colour
    route: Colour
    zone: Colour
    marker: Colour
    ink: Colour
    marker_diameter: float = 8.0
    route_width: float = 1.4
    padding: float = 6.0
    chrome: float = 14.0


def map_padding(style: MapStyle) -> float:
    """Room kept between the drawing and the box edge, so markers are not clipped."""
    return style.padding + style.marker_diameter / 2


def map_height(style: MapStyle, width: float, aspect: float) -> float:
    """The box height that shows ground of ``aspect`` (height/width) at full ``width``."""
    pad = map_padding(style)
    return (width - 2 * pad) * aspect + 2 * pad + style.chrome


@dataclass(frozen=True)
class Projection:
    """Equirectangular projection (cos(latitude) scaled) fitted into a box on the page."""

    lon0: float
    lat0: float
    cos_lat: float
    mm_per_m: float
    cx: float
    cy: float

    def metres(self, lon: float, lat: float) -> tuple[float, float]:
        """East and north offsets in metres from the projection centre."""
        return (
            (lon - self.lon0) * self.cos_lat * _METRES_PER_DEGREE,
            (lat - self.lat0) * _METRES_PER_DEGREE,
        )

    def page(self, lon: float, lat: float) -> tuple[float, float]:
        """Page coordinates (mm, y downwards) of a position."""
        east, north = self.metres(lon, lat)
        return self.cx + east * self.mm_per_m, self.cy - north * self.mm_per_m


def _extent_points(
    route: Sequence[tuple[float, float]], stops: Sequence[PosterStop]
) -> list[tuple[float, float, float]]:
    """Positions to fit, each with a margin in metres around it."""
    points = [(lon, lat, 0.0) for lon, lat in route]
    for stop in stops:
        points.append((stop.lon, stop.lat, stop.radius_m or 0.0))
        points.extend((lon, lat, 0.0) for ring in stop.rings for lon, lat in ring)
    return points


def _ground_box(
    route: Sequence[tuple[float, float]], stops: Sequence[PosterStop]
) -> tuple[Projection, float, float, float, float] | None:
    """A unit projection centred on the trail and its extent in metres (W, S, E, N)."""
    points = _extent_points(route, stops)
    if not points:
        return None
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    # Centre on the bounding box's middle; a trail is small, so one cos(latitude) is enough.
    lon0 = (min(lons) + max(lons)) / 2
    lat0 = (min(lats) + max(lats)) / 2
    cos_lat = max(math.cos(math.radians(lat0)), 0.01)
    probe = Projection(lon0, lat0, cos_lat, 1.0, 0.0, 0.0)
    xs, ys = [], []
    for lon, lat, margin in points:
        east, north = probe.metres(lon, lat)
        xs += [east - margin, east + margin]
        ys += [north - margin, north + margin]
    mid_e, mid_n = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    half_w = max(max(xs) - min(xs), MIN_EXTENT_M) / 2
    half_h = max(max(ys) - min(ys), MIN_EXTENT_M) / 2
    return probe, mid_e - half_w, mid_n - half_h, mid_e + half_w, mid_n + half_h


def ground_aspect(
    route: Sequence[tuple[float, float]], stops: Sequence[PosterStop]
) -> float | None:
    """Height over width of the ground the trail covers, or None when there is nothing."""
    box = _ground_box(route, stops)
    if box is None:
        return None
    _, west, south, east, north = box
    return (north - south) / (east - west)


def fit_projection(
    route: Sequence[tuple[float, float]],
    stops: Sequence[PosterStop],
    box: tuple[float, float, float, float],
    padding: float,
) -> Projection | None:
    """The projection that fits the route and stops into ``box`` (x, y, w, h), or None if empty."""
    ground = _ground_box(route, stops)
    if ground is None:
        return None
    probe, west, south, east, north = ground
    x, y, w, h = box
    mm_per_m = min((w - 2 * padding) / (east - west), (h - 2 * padding) / (north - south))
    mid_e, mid_n = (east + west) / 2, (north + south) / 2
    return Projection(
        probe.lon0,
        probe.lat0,
        probe.cos_lat,
        mm_per_m,
        cx=x + w / 2 - mid_e * mm_per_m,
        cy=y + h / 2 + mid_n * mm_per_m,
    )


def scale_bar_length(mm_per_m: float, max_mm: float) -> float:
    """The longest round distance in metres (1, 2 or 5 x 10^n) drawn within ``max_mm``."""
    fitting = [m for m in _NICE_LENGTHS_M if m * mm_per_m <= max_mm]
    return float(fitting[-1] if fitting else _NICE_LENGTHS_M[0])


def _distance_label(metres: float) -> str:
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


def _draw_scale_bar(
    pdf: FPDF, proj: Projection, x: float, y: float, max_mm: float, style: MapStyle
) -> None:
    metres = scale_bar_length(proj.mm_per_m, max_mm)
    length = metres * proj.mm_per_m
    with pdf.local_context(fill_color=style.ink, draw_color=style.ink, line_width=0.3):
        half = length / 2
        pdf.rect(x, y, half, 1.6, style="DF")
        pdf.set_fill_color(255, 255, 255)
        pdf.rect(x + half, y, half, 1.6, style="DF")
        pdf.set_font(size=8)
        pdf.set_text_color(*style.ink)
        pdf.text(x, y - 1.6, "0")
        label = _distance_label(metres)
        pdf.text(x + length - pdf.get_string_width(label) / 2, y - 1.6, label)


def _draw_north_arrow(pdf: FPDF, x: float, y: float, style: MapStyle) -> None:
    """An arrow pointing up with an N above it; (x, y) is the arrow's tip."""
    with pdf.local_context(fill_color=style.ink, draw_color=style.ink, line_width=0.3):
        pdf.polygon([(x, y), (x + 2.6, y + 8), (x, y + 6.2)], style="DF")
        pdf.set_fill_color(255, 255, 255)
        pdf.polygon([(x, y), (x - 2.6, y + 8), (x, y + 6.2)], style="DF")
        pdf.set_font(style="B", size=9)
        pdf.set_text_color(*style.ink)
        pdf.text(x - pdf.get_string_width("N") / 2, y - 1.5, "N")


def _draw_zones(pdf: FPDF, proj: Projection, stops: Sequence[PosterStop], style: MapStyle) -> None:
    with pdf.local_context(
        fill_color=style.zone, draw_color=style.zone, fill_opacity=0.22, line_width=0.35
    ):
        for stop in stops:
            if stop.radius_m:
                cx, cy = proj.page(stop.lon, stop.lat)
                r = stop.radius_m * proj.mm_per_m
                pdf.ellipse(cx - r, cy - r, 2 * r, 2 * r, style="DF")
            if stop.rings:
                _draw_polygon(pdf, proj, stop.rings, style)


def _draw_polygon(
    pdf: FPDF, proj: Projection, rings: Sequence[Sequence[tuple[float, float]]], style: MapStyle
) -> None:
    """A polygon with its holes as one even-odd path, so a hole shows what lies under it."""
    with pdf.new_path() as path:
        path.style.fill_color = "#{:02x}{:02x}{:02x}".format(*style.zone)
        path.style.stroke_color = path.style.fill_color
        path.style.fill_opacity = 0.22
        path.style.stroke_width = 0.35
        path.style.intersection_rule = "EVENODD"
        for ring in rings:
            points = [proj.page(lon, lat) for lon, lat in ring]
            path.move_to(*points[0])
            for point in points[1:]:
                path.line_to(*point)
            path.close()


def _draw_route(
    pdf: FPDF, proj: Projection, route: Sequence[tuple[float, float]], style: MapStyle
) -> None:
    if len(route) < 2:
        return
    points = [proj.page(lon, lat) for lon, lat in route]
    with pdf.local_context(stroke_cap_style="ROUND", stroke_join_style="ROUND"):
        # A white casing under the line keeps it readable where it crosses zones.
        pdf.set_draw_color(255, 255, 255)
        pdf.set_line_width(style.route_width + 1.2)
        pdf.polyline(points)
        pdf.set_draw_color(*style.route)
        pdf.set_line_width(style.route_width)
        pdf.polyline(points)


def _draw_markers(
    pdf: FPDF, proj: Projection, stops: Sequence[PosterStop], style: MapStyle
) -> None:
    d = style.marker_diameter
    with pdf.local_context(fill_color=style.marker, draw_color=(255, 255, 255), line_width=0.6):
        pdf.set_text_color(255, 255, 255)
        for stop in stops:
            cx, cy = proj.page(stop.lon, stop.lat)
            pdf.ellipse(cx - d / 2, cy - d / 2, d, d, style="DF")
            label = str(stop.number)
            pdf.set_font(style="B", size=11 if len(label) < 3 else 8)
            # Cap height of DejaVu is about 0.73 em: centre the digits optically.
            pdf.text(
                cx - pdf.get_string_width(label) / 2,
                cy + pdf.font_size * 0.73 / 2,
                label,
            )


def draw_route_map(
    pdf: FPDF,
    box: tuple[float, float, float, float],
    route: Sequence[tuple[float, float]],
    stops: Sequence[PosterStop],
    style: MapStyle,
) -> bool:
    """Draw the trail into ``box`` (x, y, w, h in mm); False when there is nothing to draw."""
    x, y, w, h = box
    # Keep the ground clear of the north arrow above and the scale bar below.
    inner = (x, y + style.chrome / 2, w, h - style.chrome)
    proj = fit_projection(route, stops, inner, map_padding(style))
    if proj is None:
        return False
    with pdf.local_context(fill_color=style.paper):
        pdf.rect(x, y, w, h, style="F", round_corners=True, corner_radius=3)
    _draw_zones(pdf, proj, stops, style)
    _draw_route(pdf, proj, route, style)
    _draw_markers(pdf, proj, stops, style)
    _draw_scale_bar(pdf, proj, x + 5, y + h - 5, w * 0.3, style)
    _draw_north_arrow(pdf, x + w - 7, y + 8, style)
    return True
