"""kernels.dark_rendezvous against plain-Python references and hand-built cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
import reference_rendezvous as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels._geo import KNOT_M_S, destination, haversine_m
from kernels.dark_rendezvous import (
    DARK_PAIR_FIELDS,
    DARK_SEEN_FIELDS,
    dark_rendezvous_pairs,
    dark_seen_pairs,
)

T0 = 1_720_000_800  # 2024-07-03 10:00 UTC
H = 3600
P = (25.0, 63.0)  # off Pasni
V_KN = 12.0
V = V_KN * KNOT_M_S


def at(bearing_deg, dist_m, origin=P):
    return destination(*origin, bearing_deg, dist_m)


def gap_arrays(gaps):
    """[(vessel, t0, lat0, lon0, t1, lat1, lon1), ...] -> kernel arrays."""
    cols = list(zip(*gaps, strict=True)) if gaps else [[]] * 7
    return (
        np.asarray(cols[0], dtype=np.int64),
        np.asarray(cols[1], dtype=np.int64),
        np.asarray(cols[2], dtype=np.float64),
        np.asarray(cols[3], dtype=np.float64),
        np.asarray(cols[4], dtype=np.int64),
        np.asarray(cols[5], dtype=np.float64),
        np.asarray(cols[6], dtype=np.float64),
    )


def gap(vessel, t0, p0, t1, p1):
    return (vessel, t0, p0[0], p0[1], t1, p1[0], p1[1])


def pairs(gaps, max_speed_kn=V_KN, min_overlap_s=1800, min_together_s=0.0):
    out = dark_rendezvous_pairs(
        *gap_arrays(gaps), max_speed_kn, min_overlap_s, min_together_s
    )
    return [
        dict(zip(DARK_PAIR_FIELDS, row, strict=True)) for row in zip(*out, strict=False)
    ]


def track_arrays(segments):
    rows = [fix for _, fixes in segments for fix in fixes]
    cols = list(zip(*rows, strict=True)) if rows else [[]] * 4
    return (
        np.asarray(cols[0], dtype=np.int64),
        np.asarray(cols[1], dtype=np.float64),
        np.asarray(cols[2], dtype=np.float64),
        np.asarray(cols[3], dtype=np.float32),
        np.cumsum([0] + [len(f) for _, f in segments]).astype(np.int64),
        np.asarray([v for v, _ in segments], dtype=np.int64),
    )


SEEN = {
    "max_speed_kn": V_KN,
    "slow_speed_kn": 3.0,
    "min_overlap_s": 1800,
    "max_break_s": 600,
    "max_interp_gap_s": 7200,
}


def seen(gaps, segments, **params):
    out = dark_seen_pairs(
        *gap_arrays(gaps), *track_arrays(segments), *{**SEEN, **params}.values()
    )
    return [
        dict(zip(DARK_SEEN_FIELDS, row, strict=True)) for row in zip(*out, strict=False)
    ]


# ---------------------------------------------------------------------------
# Two dark vessels against the reference


# Strategies built once (building them inside a composite costs more than
# drawing from them); each lists its most useful value first.
BEARING = st.integers(0, 359)
GAP_PARAMS = st.fixed_dictionaries(
    {
        "max_speed_kn": st.sampled_from([12.0, 6.0, 9.0, 15.0]),
        "min_overlap_s": st.sampled_from([1800, 0, 3600]),
        "min_together_s": st.sampled_from([0.0, 600.0, 1800.0]),
    }
)


@st.composite
def dark_gaps(draw):
    gaps = []
    for i in range(draw(st.integers(2, 4))):
        vessel = draw(st.sampled_from([i, 0, 1, 2]))
        t0 = T0 + 60 * draw(st.integers(0, 360))
        t1 = t0 + 60 * draw(st.integers(30, 480))
        p0 = at(draw(BEARING), 1000.0 * draw(st.integers(0, 60)))
        p1 = at(draw(BEARING), 1000.0 * draw(st.integers(0, 60)))
        gaps.append(gap(vessel, t0, p0, t1, p1))
    return gaps, draw(GAP_PARAMS)


def check_against_reference(gaps, params, with_region=False):
    got = {(e["gap_a"], e["gap_b"]): e for e in pairs(gaps, **params)}
    candidates = ref.dark_pairs_reference(
        gaps, params["max_speed_kn"], params["min_overlap_s"], -math.inf
    )
    s = params["min_together_s"]
    seen_keys = set()
    for r in candidates:
        key = (r["gap_a"], r["gap_b"])
        seen_keys.add(key)
        if abs(r["max_together_s"] - s) < 0.5:
            continue  # on the threshold within the searches' tolerance
        if r["max_together_s"] < s:
            assert key not in got
            continue
        assert key in got
        e = got[key]
        for f in ("vessel_a", "vessel_b", "overlap_start_s", "overlap_end_s"):
            assert e[f] == r[f], f
        assert abs(e["max_together_s"] - r["max_together_s"]) < 0.05
        # The meeting point is in the meeting region, and its window fits.
        x, y = ref.project(*r["centre"], e["lat_deg"], e["lon_deg"])
        slack = -r["f"](x, y)
        assert slack >= s - 0.01
        assert abs((e["meet_end_s"] - e["meet_start_s"]) - slack) <= 1.0
        assert e["overlap_start_s"] - 1 <= e["meet_start_s"]
        assert e["meet_end_s"] <= e["overlap_end_s"] + 1
        assert e["area_km2"] >= 0.0
        if with_region and r["max_together_s"] > s + 60:
            region = ref.region_by_grid(r, -s)
            assert region is not None
            area_m2, (lat, lon) = region
            np.testing.assert_allclose(e["area_km2"], area_m2 / 1e6, rtol=0.02)
            size = math.sqrt(area_m2)
            assert haversine_m(e["lat_deg"], e["lon_deg"], lat, lon) < 0.01 * size + 1
    assert set(got) <= seen_keys


@settings(max_examples=1000)
@given(dark_gaps())
def test_pairs_match_reference(case):
    gaps, params = case
    check_against_reference(gaps, params)


@pytest.mark.parametrize("seed", range(12))
def test_meeting_region_matches_a_fine_grid(seed):
    rng = np.random.default_rng(seed)
    gaps = []
    for i in range(3):
        t0 = T0 + int(rng.integers(0, 4 * H))
        p0 = at(rng.uniform(0, 360), rng.uniform(0, 40_000))
        p1 = at(rng.uniform(0, 360), rng.uniform(0, 40_000))
        gaps.append(gap(i, t0, p0, t0 + int(rng.integers(2 * H, 8 * H)), p1))
    params = {"max_speed_kn": 10.0, "min_overlap_s": 1800, "min_together_s": 600.0}
    check_against_reference(gaps, params, with_region=True)


# ---------------------------------------------------------------------------
# Two dark vessels, hand-built


@pytest.mark.parametrize(("minutes", "found"), [(29, False), (31, True)])
def test_gaps_overlapping_29_vs_31_minutes(minutes, found):
    a = gap(1, T0, P, T0 + 4 * H, P)
    b = gap(2, T0 + 4 * H - minutes * 60, P, T0 + 8 * H, P)
    events = pairs([a, b])
    assert len(events) == int(found)
    if found:
        (e,) = events
        assert (e["overlap_start_s"], e["overlap_end_s"]) == (
            T0 + 4 * H - 1860,
            T0 + 4 * H,
        )
        np.testing.assert_allclose(e["max_together_s"], 1860, atol=0.01)
        assert haversine_m(e["lat_deg"], e["lon_deg"], *P) < 1.0


def test_disjoint_ellipses_never_meet():
    a = gap(1, T0, P, T0 + 2 * H, at(90, 10_000))
    far = at(0, 200_000)
    b = gap(2, T0, far, T0 + 2 * H, at(90, 10_000, far))
    assert pairs([a, b]) == []


def test_strict_test_needs_the_same_place_at_the_same_time():
    """Both run west to east at nearly full speed, an hour apart.

    Their ellipses (thin, along the same line) overlap, and so do their
    gaps (for an hour), but one is always well ahead of the other.
    """
    west = P
    east = at(90, 0.98 * V * 3 * H)
    a = gap(1, T0, west, T0 + 3 * H, east)
    b = gap(2, T0 + 2 * H, west, T0 + 5 * H, east)
    # The loose test would say yes: the middle is inside both ellipses.
    mid = at(90, 0.49 * V * 3 * H)
    for g in (a, b):
        foci = haversine_m(*mid, g[2], g[3]) + haversine_m(*mid, g[5], g[6])
        assert foci <= V * (g[4] - g[1])
    assert pairs([a, b]) == []
    # Starting an hour earlier, B is where A is: they could have met.
    b_early = gap(2, T0, west, T0 + 3 * H, east)
    assert len(pairs([a, b_early])) == 1


def test_meeting_region_of_two_vessels_returning_to_one_place():
    """Both dark 4 h and back where they went dark: a disk of radius v(T-s)/2."""
    a = gap(1, T0, P, T0 + 4 * H, P)
    b = gap(2, T0, P, T0 + 4 * H, P)
    for s in (0.0, 3600.0):
        (e,) = pairs([a, b], min_together_s=s)
        radius = V * (4 * H - s) / 2
        np.testing.assert_allclose(e["area_km2"], math.pi * radius**2 / 1e6, rtol=1e-3)
        assert e["area_km2"] <= math.pi * radius**2 / 1e6
        assert haversine_m(e["lat_deg"], e["lon_deg"], *P) < 1.0
        np.testing.assert_allclose(e["max_together_s"], 4 * H, atol=0.01)
        assert (e["meet_start_s"], e["meet_end_s"]) == (T0, T0 + 4 * H)


def test_too_fast_for_its_own_gap_meets_no_one():
    a = gap(1, T0, P, T0 + H, at(90, 1.2 * V * H))  # needs 20 % more than v
    b = gap(2, T0, P, T0 + H, P)
    assert pairs([a, b]) == []
    assert len(pairs([a, b], max_speed_kn=1.3 * V_KN)) == 1


def test_same_vessel_never_pairs_and_input_order_does_not_matter():
    rng = np.random.default_rng(5)
    gaps = []
    for i in range(8):
        t0 = T0 + int(rng.integers(0, 6 * H))
        p0 = at(rng.uniform(0, 360), rng.uniform(0, 50_000))
        p1 = at(rng.uniform(0, 360), rng.uniform(0, 50_000))
        gaps.append(gap(i % 4, t0, p0, t0 + int(rng.integers(H, 8 * H)), p1))
    base = pairs(gaps)
    assert base
    assert all(gaps[e["gap_a"]][0] != gaps[e["gap_b"]][0] for e in base)
    assert all(e["vessel_a"] < e["vessel_b"] for e in base)
    perm = rng.permutation(len(gaps))
    shuffled = pairs([gaps[i] for i in perm])
    renamed = sorted(
        (
            {**e, "gap_a": int(perm[e["gap_a"]]), "gap_b": int(perm[e["gap_b"]])}
            for e in shuffled
        ),
        key=lambda e: tuple(
            e[k] for k in ("overlap_start_s", "vessel_a", "vessel_b", "gap_a", "gap_b")
        ),
    )
    for x, y in zip(renamed, base, strict=True):
        for f in DARK_PAIR_FIELDS:
            np.testing.assert_allclose(x[f], y[f], rtol=1e-6, atol=1e-3, err_msg=f)


def test_sweep_finds_the_same_pairs_as_trying_all_pairs():
    rng = np.random.default_rng(9)
    gaps = []
    for i in range(120):
        t0 = T0 + int(rng.integers(0, 48 * H))
        p0 = (rng.uniform(22.5, 25.5), rng.uniform(58.0, 67.5))
        p1 = destination(*p0, rng.uniform(0, 360), rng.uniform(0, 80_000))
        gaps.append(gap(1000 + i % 60, t0, p0, t0 + int(rng.integers(H, 12 * H)), p1))
    found = {(e["gap_a"], e["gap_b"]): e for e in pairs(gaps)}
    brute = {}
    for i in range(len(gaps)):
        for j in range(i + 1, len(gaps)):
            for e in pairs([gaps[i], gaps[j]]):
                key = (i, j) if e["gap_a"] == 0 else (j, i)
                brute[key] = e
    assert len(found) > 5
    assert set(found) == set(brute)
    for key, e in found.items():
        np.testing.assert_allclose(e["max_together_s"], brute[key]["max_together_s"])


# ---------------------------------------------------------------------------
# One dark vessel


def anchored(vessel, t_start, t_end, pos, sog=0.2, every=180):
    return (vessel, [(t, *pos, sog) for t in range(t_start, t_end + 1, every)])


def test_one_dark_vessel_and_a_ship_seen_slow_nearby():
    a = gap(1, T0, P, T0 + 6 * H, P)
    b_pos = at(0, 10_000)
    (e,) = seen([a], [anchored(2, T0 - H, T0 + 7 * H, b_pos)])
    # 10 km takes 1620 s at 12 kn: B is reachable from T0 + 1620 s until
    # 1620 s before A reappears.
    assert (e["gap"], e["vessel_dark"], e["vessel_seen"]) == (0, 1, 2)
    assert (e["start_s"], e["end_s"]) == (T0 + 1620, T0 + 6 * H - 1620)
    assert e["n_fixes"] == 103
    assert haversine_m(e["lat_deg"], e["lon_deg"], *b_pos) < 0.01
    np.testing.assert_allclose(e["mean_sog_seen_kn"], 0.2, rtol=1e-6)
    assert e["area_km2"] < 1e-9


@pytest.mark.parametrize(
    ("segment", "why"),
    [
        (anchored(2, T0 - H, T0 + 7 * H, at(0, 10_000), sog=3.0), "not slow"),
        (anchored(1, T0 - H, T0 + 7 * H, at(0, 10_000)), "the dark vessel itself"),
        (anchored(2, T0 - H, T0 + 7 * H, at(0, 70_000)), "out of reach"),
        (anchored(2, T0 + 2 * H, T0 + 2 * H + 1200, at(0, 10_000)), "seen 20 min"),
    ],
)
def test_one_dark_negative_cases(segment, why):
    a = gap(1, T0, P, T0 + 6 * H, P)
    assert seen([a], [segment]) == [], why


def test_one_dark_run_survives_a_short_break_only():
    a = gap(1, T0, P, T0 + 6 * H, P)
    vessel, fixes = anchored(2, T0, T0 + 6 * H, at(0, 5_000))
    fixes[60] = (fixes[60][0], fixes[60][1], fixes[60][2], 6.0)  # one fast report
    (e,) = seen([a], [(vessel, fixes)])
    reach_s = 5_000 / V  # B is out of reach this long after A went dark
    in_reach = [t for t, *_ in fixes if reach_s <= t - T0 <= 6 * H - reach_s]
    assert e["n_fixes"] == len(in_reach) - 1
    assert len(seen([a], [(vessel, fixes)], max_break_s=300)) == 2


SOG_KN = st.one_of(st.integers(0, 40).map(lambda x: x / 10), st.just(math.nan))
STEP_S = st.sampled_from([300, 0, 60, 180, 601, 1200])
DRIFT_M = st.integers(0, 300)
SEEN_PARAMS = st.fixed_dictionaries(
    {
        "max_speed_kn": st.sampled_from([12.0, 6.0, 9.0]),
        "slow_speed_kn": st.sampled_from([3.0, 1.0, 2.0]),
        "min_overlap_s": st.sampled_from([1800, 0, 600]),
        "max_break_s": st.sampled_from([600, 0, 300, 1800]),
        "max_interp_gap_s": st.sampled_from([7200, 300]),
    }
)


@st.composite
def dark_and_seen(draw):
    gaps = []
    for i in range(draw(st.integers(1, 3))):
        vessel = draw(st.sampled_from([i, 0, 1]))
        t0 = T0 + 60 * draw(st.integers(0, 120))
        t1 = t0 + 60 * draw(st.integers(20, 300))
        p0 = at(draw(BEARING), 1000.0 * draw(st.integers(0, 20)))
        p1 = at(draw(BEARING), 1000.0 * draw(st.integers(0, 20)))
        gaps.append(gap(vessel, t0, p0, t1, p1))
    segments = []
    for i in range(draw(st.integers(1, 4))):
        vessel = draw(st.sampled_from([i + 1, 0, 1, 2, 3]))
        t = T0 + 60 * draw(st.integers(-60, 240))
        pos = at(draw(BEARING), 1000.0 * draw(st.integers(0, 25)))
        fixes = []
        for _ in range(draw(st.integers(1, 40))):
            fixes.append((t, *pos, draw(SOG_KN)))
            t += draw(STEP_S)
            pos = destination(*pos, draw(BEARING), draw(DRIFT_M))
        segments.append((vessel, fixes))
    return gaps, segments, draw(SEEN_PARAMS)


@settings(max_examples=1000)
@given(dark_and_seen())
def test_one_dark_matches_reference(case):
    gaps, segments, params = case
    got = seen(gaps, segments, **params)
    want = ref.dark_seen_reference(
        gaps, *track_arrays(segments), *(params[k] for k in SEEN)
    )
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        for f in DARK_SEEN_FIELDS:
            if isinstance(w[f], float):
                np.testing.assert_allclose(g[f], w[f], rtol=1e-9, atol=1e-12, err_msg=f)
            else:
                assert g[f] == w[f], f


def test_empty_inputs():
    assert pairs([]) == []
    assert seen([], []) == []
    assert seen([gap(1, T0, P, T0 + 6 * H, P)], []) == []
