from __future__ import annotations

import math

import pytest

from server.sharing.content import PosterStop
from server.sharing.routemap import (
    MIN_EXTENT_M,
    fit_projection,
    ground_aspect,
    scale_bar_length,
)
from trails.geo import EARTH_RADIUS_M, haversine_m

DEG_M = math.pi / 180 * EARTH_RADIUS_M


def square_route(lat: float, side_m: float) -> list[tuple[float, float]]:
    dlat = side_m / DEG_M
    dlon = side_m / (DEG_M * math.cos(math.radians(lat)))
    return [(0.0, lat), (dlon, lat), (dlon, lat + dlat), (0.0, lat + dlat), (0.0, lat)]


@pytest.mark.parametrize("lat", [0.0, 50.4, 64.0])
def test_a_square_on_the_ground_is_a_square_on_the_page(lat: float) -> None:
    route = square_route(lat, 1000)
    proj = fit_projection(route, [], (10, 20, 100, 60), padding=5)
    assert proj is not None
    (x0, y0), (x1, _), (_, y2) = (proj.page(*p) for p in route[:3])
    assert x1 - x0 == pytest.approx(y0 - y2, rel=0.01)  # y grows downwards on the page
    # It fills the box's short side, less padding, and sits inside the box.
    assert y0 - y2 == pytest.approx(50, rel=0.01)
    assert all(10 <= x <= 110 and 20 <= y <= 80 for x, y in (proj.page(*p) for p in route))


def test_page_distance_matches_ground_distance() -> None:
    route = [(4.390767, 50.40554), (4.401632, 50.40518)]
    proj = fit_projection(route, [], (0, 0, 100, 100), padding=0)
    assert proj is not None
    (x0, y0), (x1, y1) = (proj.page(*p) for p in route)
    page_m = math.hypot(x1 - x0, y1 - y0) / proj.mm_per_m
    assert page_m == pytest.approx(haversine_m(50.40554, 4.390767, 50.40518, 4.401632), rel=0.002)


def test_aspect_of_a_wide_trail_and_of_a_lone_stop() -> None:
    lat = 50.4
    dlon = 2000 / (DEG_M * math.cos(math.radians(lat)))
    dlat = 1000 / DEG_M
    assert ground_aspect([(4.0, lat), (4.0 + dlon, lat + dlat)], []) == pytest.approx(0.5, rel=0.01)
    lone = [PosterStop(4.0, lat, 1, "x", radius_m=20)]
    assert ground_aspect([], lone) == 1.0
    proj = fit_projection([], lone, (0, 0, 100, 100), padding=0)
    assert proj is not None and proj.mm_per_m == pytest.approx(100 / MIN_EXTENT_M)
    assert ground_aspect([], []) is None
    assert fit_projection([], [], (0, 0, 100, 100), padding=0) is None


def test_polygon_rings_widen_the_extent() -> None:
    ring = ((4.0, 50.0), (4.02, 50.0), (4.02, 50.01), (4.0, 50.0))
    small = fit_projection([], [PosterStop(4.01, 50.005, 1, "x")], (0, 0, 100, 100), 0)
    big = fit_projection([], [PosterStop(4.01, 50.005, 1, "x", rings=(ring,))], (0, 0, 100, 100), 0)
    assert small is not None and big is not None
    assert big.mm_per_m < small.mm_per_m


@pytest.mark.parametrize(
    ("mm_per_m", "max_mm", "expected"),
    [(0.1, 30, 200), (0.1, 50, 500), (0.01, 25, 2000), (1.0, 30, 20), (50.0, 10, 1)],
)
def test_scale_bar_is_a_round_length_that_fits(
    mm_per_m: float, max_mm: float, expected: int
) -> None:
    assert scale_bar_length(mm_per_m, max_mm) == expected
