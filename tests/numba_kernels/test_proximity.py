"""kernels.proximity against the plain-Python references."""

import math

import numpy as np
import pytest
import reference_geo as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.proximity import polyline_proximity, segments_cross_polyline


def flatten(lines):
    vlat = np.array([p[0] for line in lines for p in line], dtype=np.float64)
    vlon = np.array([p[1] for line in lines for p in line], dtype=np.float64)
    offsets = np.concatenate([[0], np.cumsum([len(x) for x in lines])]).astype(np.int64)
    return vlat, vlon, offsets


def run_proximity(lat, lon, lines, radii, with_nearest=True):
    vlat, vlon, offsets = flatten(lines)
    return polyline_proximity(
        np.asarray(lat, dtype=np.float64),
        np.asarray(lon, dtype=np.float64),
        vlat,
        vlon,
        offsets,
        np.asarray(radii, dtype=np.float64),
        with_nearest,
    )


def check_against_reference(lat, lon, lines, radii):
    """Same answers as the reference, up to ties broken by rounding.

    The kernel is compiled with fastmath (fused multiply-add), so two equal
    distances can round either way; such ties are accepted when the flat
    distances agree to a micrometre. Radii are kept >= 1 m so that no point
    sits on an area's edge up to rounding.
    """
    nearest, dist, inside = run_proximity(lat, lon, lines, radii)
    _, _, inside_only = run_proximity(lat, lon, lines, radii, with_nearest=False)
    for p in range(len(lat)):
        want_near, want_dist, want_in = ref.polyline_proximity(
            lat[p], lon[p], lines, radii
        )
        flat = [
            math.sqrt(ref.closest_on_polyline(lat[p], lon[p], line)[0])
            for line in lines
        ]
        for got_in in (inside[p], inside_only[p]):
            if got_in != want_in:
                assert got_in >= 0 and want_in >= 0
                assert abs(flat[got_in] - flat[want_in]) < 1e-6
        if nearest[p] != want_near:
            assert abs(flat[nearest[p]] - flat[want_near]) < 1e-6
        else:
            assert dist[p] == pytest.approx(want_dist, rel=1e-9, abs=1e-6)


def test_single_points_are_great_circle_distances():
    # Karachi port and Gwadar port as one-vertex polylines.
    lines = [[(24.835, 66.982)], [(25.1225, 62.3202)]]
    nearest, dist, inside = run_proximity(
        [24.82, 25.10, math.nan], [66.97, 62.40, 63.0], lines, [4000.0, 3000.0]
    )
    assert nearest.tolist() == [0, 1, -1]
    assert inside.tolist() == [0, -1, -1]
    assert dist[0] == pytest.approx(
        ref.haversine_m(24.82, 66.97, 24.835, 66.982), rel=1e-12
    )
    assert math.isnan(dist[2])


def test_corridor_contains_points_beside_the_middle_of_a_segment():
    # East-west line 1 degree long at 25 N, 1 km half-width.
    lines = [[(25.0, 63.0), (25.0, 64.0)]]
    north_900m = 25.0 + 900 / ref.M_PER_DEG
    north_1100m = 25.0 + 1100 / ref.M_PER_DEG
    _, dist, inside = run_proximity(
        [north_900m, north_1100m, 25.0], [63.5, 63.5, 64.0 + 0.0095], lines, [1000.0]
    )
    assert inside.tolist() == [0, -1, 0]
    assert dist[0] == pytest.approx(900, abs=0.01)
    assert dist[1] == pytest.approx(1100, abs=0.01)
    assert dist[2] == pytest.approx(ref.haversine_m(25, 64.0095, 25, 64), rel=1e-12)


def test_overlapping_areas_pick_the_nearest_centre():
    lines = [[(25.0, 63.0)], [(25.0, 63.02)]]
    _, _, inside = run_proximity([25.0, 25.0], [63.012, 63.008], lines, [5e3, 5e3])
    assert inside.tolist() == [1, 0]


def test_ties_go_to_the_lower_index():
    lines = [[(25.0, 63.0)], [(25.0, 63.0)]]
    nearest, _, inside = run_proximity([25.01], [63.0], lines, [5e3, 5e3])
    assert nearest[0] == 0 and inside[0] == 0


def test_no_polylines():
    nearest, dist, inside = polyline_proximity(
        np.array([25.0]),
        np.array([63.0]),
        np.empty(0),
        np.empty(0),
        np.zeros(1, dtype=np.int64),
        np.empty(0),
    )
    assert nearest[0] == -1 and inside[0] == -1 and math.isnan(dist[0])


def test_far_points_still_get_a_nearest_area():
    lines = [[(25.0, 63.0)], [(24.0, 67.0), (24.5, 67.2)]]
    nearest, dist, inside = run_proximity(
        [55.68, 42.36], [12.57, -71.05], lines, [1, 1]
    )
    assert inside.tolist() == [-1, -1]
    assert (nearest >= 0).all() and (dist > 4e6).all()


coord = st.floats(-3.0, 3.0, allow_nan=False)
polylines = st.lists(
    st.lists(st.tuples(coord, coord), min_size=1, max_size=4), min_size=1, max_size=5
)


@settings(max_examples=1000)
@given(
    lines=polylines,
    radii=st.lists(st.floats(1.0, 3e5), min_size=5, max_size=5),
    points=st.lists(st.tuples(coord, coord), min_size=1, max_size=6),
)
def test_proximity_matches_reference(lines, radii, points):
    # Around 25 N 63 E, within about 300 km.
    lines = [[(25.0 + a, 63.0 + b) for a, b in line] for line in lines]
    lat = np.array([25.0 + a for a, _ in points])
    lon = np.array([63.0 + b for _, b in points])
    check_against_reference(lat, lon, lines, radii[: len(lines)])


# Multiples of 1/64 degree: cross products are exact in float64, so the
# kernel's orientation tests agree with the exact-arithmetic reference.
grid_coord = st.integers(-128, 128).map(lambda k: k / 64.0)
points = st.tuples(grid_coord, grid_coord)


@settings(max_examples=1000)
@given(
    line=st.lists(points, min_size=2, max_size=6),
    segments=st.lists(st.tuples(points, points), min_size=1, max_size=6),
)
def test_crossings_match_exact_reference(line, segments):
    line = [(25.0 + a, 62.0 + b) for a, b in line]
    lat1 = np.array([25.0 + s[0][0] for s in segments])
    lon1 = np.array([62.0 + s[0][1] for s in segments])
    lat2 = np.array([25.0 + s[1][0] for s in segments])
    lon2 = np.array([62.0 + s[1][1] for s in segments])
    vlat = np.array([p[0] for p in line])
    vlon = np.array([p[1] for p in line])
    got = segments_cross_polyline(lat1, lon1, lat2, lon2, vlat, vlon)
    want = [
        ref.segment_crosses_polyline(lat1[k], lon1[k], lat2[k], lon2[k], line)
        for k in range(len(segments))
    ]
    assert got.tolist() == want


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        (((0.5, -1.0), (0.5, 1.0)), True),  # proper crossing
        (((0.5, -1.0), (0.5, -0.1)), False),  # stops short
        (((0.5, -1.0), (0.5, 0.0)), True),  # ends on the line
        (((0.0, 0.0), (0.0, 0.0)), True),  # a point on a vertex
        (((-1.0, 0.0), (-0.5, 0.0)), False),  # collinear, beyond the end
        (((-1.0, 0.0), (0.2, 0.0)), True),  # collinear overlap
        (((0.5, -1.0), (math.nan, 1.0)), False),
    ],
)
def test_crossing_hand_cases(segment, expected):
    # A north-south line at lon 0 from lat 0 to lat 1, then east; segments
    # are ((lat1, lon1), (lat2, lon2)).
    vlat = np.array([0.0, 1.0, 1.0])
    vlon = np.array([0.0, 0.0, 1.0])
    (a_lat, a_lon), (b_lat, b_lon) = segment
    got = segments_cross_polyline(
        np.array([a_lat]),
        np.array([a_lon]),
        np.array([b_lat]),
        np.array([b_lon]),
        vlat,
        vlon,
    )
    assert got[0] == expected
