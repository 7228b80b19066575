"""Compare ``kernels.stop_segments`` with MovingPandas' TrajectoryStopDetector.

The kernel runs twice: with the true diameter (its default) and with
MovingPandas' own criterion (``diameter="movingpandas"``). Both run on the
same trajectory pieces: the tracks are split with
MovingPandas' ObservationGapSplitter(2 h), as its users do, and the kernel is
fed exactly the rows of the pieces MovingPandas returns. Then

* every MovingPandas stop is matched against the kernel's stops (same piece,
  start and end within one report);
* every difference (a MovingPandas stop with no match, and a kernel stop with
  no match) is explained by measuring, on the window where the two detectors
  decided differently, MovingPandas' criterion (a geodesic bounding-box
  prefilter, then the diagonal of GEOS's minimum-area rectangle fitted in
  degrees) and the true diameter (largest great-circle distance between two
  points);
* the detection time of both is compared on the same data (CPU time,
  kernel after compilation, medians).

Data: generated tracks (``synthetic_tracks``: vessels that sail, drift and
stop, 10 s to 3 min reporting) and the real files in ``shared/ais_real``
(Boston GeoPackage, the MarineCadastre CSV, the DMA AisAbnormal NMEA files).

Usage::

    python scripts/compare_stops_movingpandas.py [--points 100000] [--seed 7]
"""

from __future__ import annotations

import argparse
import gzip
import math
import os
import sys
import time
import warnings
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import geopandas as gpd
import movingpandas as mpd
import numpy as np
import pandas as pd
from geopy import distance as geodesic
from movingpandas.geometry_utils import mrr_diagonal
from shapely.geometry import MultiPoint

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synthetic_tracks import generate_tracks

from kernels.loitering import movingpandas_window_measures, stop_segments

MAX_DIAMETER_M = 500.0
MIN_DURATION = timedelta(hours=1)
MIN_DURATION_NS = int(MIN_DURATION.total_seconds() * 1e9)
SPLIT_GAP = timedelta(hours=2)
EARTH_RADIUS_M = 6_371_008.8
REPO = Path(__file__).resolve().parents[1]
# The shared data folder sits beside the checkout (COASTWATCH_SHARED wins).
SHARED = Path(
    os.environ.get(
        "COASTWATCH_SHARED",
        next(
            (str(q / "shared") for q in REPO.parents if (q / "shared").is_dir()),
            str(REPO.parent / "shared"),
        ),
    )
)
AIS_REAL = SHARED / "ais_real"


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


def load_generated(n_points: int, seed: int) -> pd.DataFrame:
    d = generate_tracks(n_points, seed)
    return pd.DataFrame(
        {
            "mmsi": d["mmsi"],
            "timestamp": pd.to_datetime(d["t_s"], unit="s"),
            "lat": d["lat"],
            "lon": d["lon"],
        }
    )


def load_boston() -> pd.DataFrame:
    path = AIS_REAL / "gpkg" / "us_boston_20140101-07_4vessels.gpkg"
    g = gpd.read_file(path, layer="demodata_ais")
    return pd.DataFrame(
        {
            "mmsi": g["mmsi"].astype("int64"),
            "timestamp": pd.to_datetime(g["basedatetime"]),
            "lat": g.geometry.y,
            "lon": g.geometry.x,
        }
    )


def load_marinecadastre() -> pd.DataFrame:
    path = AIS_REAL / "csv" / "noaa_marinecadastre_20220103_first99999rows.csv.gz"
    df = pd.read_csv(path, usecols=["MMSI", "BaseDateTime", "LAT", "LON"])
    return pd.DataFrame(
        {
            "mmsi": df["MMSI"].astype("int64"),
            "timestamp": pd.to_datetime(df["BaseDateTime"]),
            "lat": df["LAT"].astype(float),
            "lon": df["LON"].astype(float),
        }
    )


def load_gfw_regression() -> pd.DataFrame:
    """GFW segmenter regression cases: 56 vessels over 9 days (ORBCOMM).

    Rows without a real position (the 91/181 placeholders, empty fields)
    are dropped. Several of these MMSIs are shared by two ships at once;
    they stay as they are, the same data going to both detectors.
    """
    path = AIS_REAL / "labelled" / "gfw_segmenter_regression_20210101-09.csv.gz"
    df = pd.read_csv(path, usecols=["ssvid", "timestamp", "lat", "lon"])
    df = df.dropna(subset=["lat", "lon"])
    df = df[(df["lat"].abs() <= 90) & (df["lon"].abs() <= 180)]
    return pd.DataFrame(
        {
            "mmsi": df["ssvid"].astype("int64"),
            "timestamp": pd.to_datetime(df["timestamp"]).dt.tz_localize(None),
            "lat": df["lat"].astype(float),
            "lon": df["lon"].astype(float),
        }
    )


def load_dma_nmea() -> pd.DataFrame:
    """Position reports of the three DMA AisAbnormal files (pyais, ad hoc).

    Each sentence takes its time from the preceding ``$PGHP`` line. Reports
    relayed by several sources are kept (they carry different receive
    times), as a MovingPandas user reading these files would.
    """
    from pyais import decode

    rows = []
    for path in sorted((AIS_REAL / "labelled").glob("dma_aisabnormal_*.nmea.gz")):
        when = None
        with gzip.open(path, "rt", errors="replace") as f:
            for line in f:
                line = line.strip()
                if line.startswith("$PGHP"):
                    p = line.split(",")
                    when = pd.Timestamp(
                        year=int(p[2]),
                        month=int(p[3]),
                        day=int(p[4]),
                        hour=int(p[5]),
                        minute=int(p[6]),
                        second=int(p[7]),
                        microsecond=int(p[8]) * 1000,
                    )
                    continue
                if when is None or not line.startswith(("!AIVDM", "!BSVDM")):
                    continue
                sentence = line.split("*")[0] + "*" + line.split("*")[1][:2]
                if sentence.split(",")[1] != "1":
                    continue  # multi-part sentences carry no positions
                try:
                    msg = decode(sentence)
                except Exception:
                    continue
                if msg.msg_type not in (1, 2, 3, 18, 19):
                    continue
                if abs(msg.lat) > 90 or abs(msg.lon) > 180:
                    continue
                rows.append((msg.mmsi, when, msg.lat, msg.lon))
    return pd.DataFrame(rows, columns=["mmsi", "timestamp", "lat", "lon"])


# ---------------------------------------------------------------------------
# Both detectors on the same pieces
# ---------------------------------------------------------------------------


@dataclass
class Pieces:
    tc: mpd.TrajectoryCollection
    ids: list
    t_ns: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    offsets: np.ndarray


def split_pieces(df: pd.DataFrame) -> tuple[Pieces, float]:
    gdf = gpd.GeoDataFrame(
        df[["mmsi", "timestamp"]].copy(),
        geometry=gpd.points_from_xy(df["lon"], df["lat"]),
        crs="EPSG:4326",
    )
    t0 = time.process_time()
    tc = mpd.TrajectoryCollection(gdf, traj_id_col="mmsi", t="timestamp")
    pieces = mpd.ObservationGapSplitter(tc).split(gap=SPLIT_GAP)
    elapsed = time.process_time() - t0
    ids, ts, lats, lons, offsets = [], [], [], [], [0]
    for traj in pieces.trajectories:
        ids.append(traj.id)
        ts.append(traj.df.index.as_unit("ns").asi8)
        lats.append(traj.df.geometry.y.to_numpy())
        lons.append(traj.df.geometry.x.to_numpy())
        offsets.append(offsets[-1] + len(traj.df))
    cat = np.concatenate if ids else (lambda xs: np.empty(0))
    return (
        Pieces(
            pieces,
            ids,
            cat(ts).astype(np.int64),
            cat(lats).astype(np.float64),
            cat(lons).astype(np.float64),
            np.asarray(offsets, dtype=np.int64),
        ),
        elapsed,
    )


def mp_stops(p: Pieces) -> tuple[list[tuple[int, int, int]], float, float]:
    """MovingPandas stops as (piece, first row, last row) within the piece."""
    index = {pid: k for k, pid in enumerate(p.ids)}
    det = mpd.TrajectoryStopDetector(p.tc)
    t0 = time.process_time()
    ranges = det.get_stop_time_ranges(MAX_DIAMETER_M, MIN_DURATION)
    t_ranges = time.process_time() - t0
    t0 = time.process_time()
    det.get_stop_segments(MAX_DIAMETER_M, MIN_DURATION)
    t_segments = time.process_time() - t0
    out = []
    for r in ranges:
        k = index[r.traj_id]
        t = p.t_ns[p.offsets[k] : p.offsets[k + 1]]
        s = int(np.searchsorted(t, pd.Timestamp(r.t_0).as_unit("ns").value))
        e = int(np.searchsorted(t, pd.Timestamp(r.t_n).as_unit("ns").value))
        out.append((k, s, e))
    return sorted(out), t_ranges, t_segments


def kernel_stops(p: Pieces, diameter: str = "true", repeats: int = 5):
    args = (p.t_ns, p.lat, p.lon, p.offsets, MAX_DIAMETER_M, MIN_DURATION_NS)
    t0 = time.process_time()
    res = stop_segments(*args, diameter=diameter)
    first = time.process_time() - t0
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        res = stop_segments(*args, diameter=diameter)
        times.append(time.process_time() - t0)
    seg, start, end = res[0], res[1], res[2]
    out = [
        (int(k), int(s - p.offsets[k]), int(e - p.offsets[k]))
        for k, s, e in zip(seg, start, end, strict=True)
    ]
    return sorted(out), float(np.median(times)), first


# ---------------------------------------------------------------------------
# Explaining differences
# ---------------------------------------------------------------------------


def true_diameter_m(lat: np.ndarray, lon: np.ndarray) -> float:
    """Largest great-circle distance between two of the points (metres).

    Only vertices of the convex hull of the points projected
    orthographically at the first point can be farthest apart (see the
    Notes of ``stop_segments``), so the pairs are taken among them.
    """
    p = np.radians(lat)
    dl = np.radians(lon - lon[0])
    pa = p[0]
    x = np.cos(p) * np.sin(dl)
    y = np.sin(p - pa) + 2 * np.cos(p) * np.sin(pa) * np.sin(dl / 2) ** 2
    hull = MultiPoint(np.column_stack([x, y])).convex_hull
    coords = np.asarray(
        hull.exterior.coords if hull.geom_type == "Polygon" else hull.coords
    )
    keep = np.unique(
        np.concatenate([np.flatnonzero((x == cx) & (y == cy)) for cx, cy in coords])
    )
    hp = p[keep]
    hl = np.radians(lon[keep])
    dp = hp[:, None] - hp[None, :]
    dd = hl[:, None] - hl[None, :]
    a = (
        np.sin(dp / 2) ** 2
        + np.cos(hp)[:, None] * np.cos(hp)[None, :] * np.sin(dd / 2) ** 2
    )
    return float(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1))).max())


def mp_measure(lat: np.ndarray, lon: np.ndarray) -> tuple[float, float]:
    """MovingPandas' two numbers for a window: bbox-corner geodesic, diagonal.

    The window fits for MovingPandas when corner < 1.5 * max_diameter and
    diagonal < max_diameter (diagonal is NaN when the prefilter fails).
    """
    corner = geodesic.distance((lat.min(), lon.min()), (lat.max(), lon.max())).meters
    if corner >= 1.5 * MAX_DIAMETER_M:
        return corner, math.nan
    diag = mrr_diagonal(MultiPoint(np.column_stack([lon, lat])), True)
    return corner, diag


@dataclass
class Cause:
    """A window on which the two criteria disagree (both detectors there)."""

    step: int
    first: int
    stopped: bool
    n: int
    corner_m: float
    diagonal_m: float
    true_m: float

    @property
    def kind(self) -> str:
        mp_fit = self.corner_m < 1.5 * MAX_DIAMETER_M and self.diagonal_m < (
            MAX_DIAMETER_M
        )
        if self.n == 2:
            return "2 points: WGS84 geodesic (MP) vs sphere on either side of 500 m"
        if not mp_fit and math.isnan(self.diagonal_m):
            return "MP bbox prefilter >= 750 m, true diameter < 500 m"
        if not mp_fit:
            return "MP diagonal >= 500 m > true diameter"
        return "MP diagonal < 500 m <= true diameter"


def _trimmed(window: list[int], t, r: int) -> list[int]:
    """MovingPandas' trim while not stopped: the longest suffix spanning less
    than ``min_duration`` before row ``r``, at least two rows."""
    j = 0
    while len(window) - j > 2 and t[r] - t[window[j]] >= MIN_DURATION_NS:
        j += 1
    return window[j:]


def replay(t, lat, lon):
    """MovingPandas' stop loop, run with both criteria in lockstep.

    Returns the stops of each run and the windows where the criteria
    disagreed while both runs had the same window (the root causes: after
    one, the runs may hold different windows until they meet again).
    """
    runs = {
        "MP": {"win": [], "stopped": False, "stops": []},
        "kernel": {"win": [], "stopped": False, "stops": []},
    }
    causes = []
    for r in range(len(t)):
        decided = {}
        for run in runs.values():
            run["win"].append(r)
            if not run["stopped"]:
                run["win"] = _trimmed(run["win"], t, r)
        same = (
            runs["MP"]["win"][0] == runs["kernel"]["win"][0]
            and runs["MP"]["stopped"] == runs["kernel"]["stopped"]
        )
        for name, run in runs.items():
            w = run["win"]
            if len(w) < 2:
                decided[name] = False
                continue
            wl, wo = lat[w[0] : w[-1] + 1], lon[w[0] : w[-1] + 1]
            if name == "MP":
                corner, diag = mp_measure(wl, wo)
                decided[name] = corner < 1.5 * MAX_DIAMETER_M and diag < MAX_DIAMETER_M
            else:
                true_d = true_diameter_m(wl, wo)
                decided[name] = true_d < MAX_DIAMETER_M
        if same and len(runs["MP"]["win"]) > 1 and decided["MP"] != decided["kernel"]:
            w = runs["MP"]["win"]
            causes.append(
                Cause(r, w[0], runs["MP"]["stopped"], len(w), corner, diag, true_d)
            )
        for name, run in runs.items():
            previously = run["stopped"]
            run["stopped"] = decided[name]
            w = run["win"]
            if (
                not run["stopped"]
                and previously
                and len(w) > 1
                and t[w[-2]] - t[w[0]] >= MIN_DURATION_NS
            ):
                run["stops"].append((w[0], w[-2]))
                run["win"] = [w[-1]]
    for run in runs.values():
        w = run["win"]
        if run["stopped"] and t[w[-1]] - t[w[0]] >= MIN_DURATION_NS:
            run["stops"].append((w[0], w[-1]))
    return runs["MP"]["stops"], runs["kernel"]["stops"], causes


def replay_compatible(t, lat, lon):
    """MovingPandas' loop run twice in lockstep: with MovingPandas' own
    measures (shapely + geopy) and with the kernel's
    (``movingpandas_window_measures``). Returns the windows where the two
    decided differently while holding the same window, with both measures.
    """
    runs = {
        "MP": {"win": [], "stopped": False},
        "kernel": {"win": [], "stopped": False},
    }
    causes = []
    for r in range(len(t)):
        decided, measures = {}, {}
        for run in runs.values():
            run["win"].append(r)
            if not run["stopped"]:
                run["win"] = _trimmed(run["win"], t, r)
        same = runs["MP"]["win"] == runs["kernel"]["win"]
        for name, run in runs.items():
            w = run["win"]
            if len(w) < 2:
                decided[name] = False
                continue
            wl, wo = lat[w[0] : w[-1] + 1], lon[w[0] : w[-1] + 1]
            if name == "MP":
                corner, diag = mp_measure(wl, wo)
            else:
                corner, diag = movingpandas_window_measures(wl, wo)
                if corner >= 1.5 * MAX_DIAMETER_M:
                    diag = math.nan
            measures[name] = (corner, diag)
            decided[name] = corner < 1.5 * MAX_DIAMETER_M and diag < MAX_DIAMETER_M
        if same and len(runs["MP"]["win"]) > 1 and decided["MP"] != decided["kernel"]:
            w = runs["MP"]["win"]
            causes.append((r, w[0], len(w), measures["MP"], measures["kernel"]))
        for run in runs.values():
            previously = run["stopped"]
            name = "MP" if run is runs["MP"] else "kernel"
            run["stopped"] = decided[name]
            w = run["win"]
            if (
                not run["stopped"]
                and previously
                and len(w) > 1
                and t[w[-2]] - t[w[0]] >= MIN_DURATION_NS
            ):
                run["win"] = [w[-1]]
    return causes


def compatible_cause(mp, kernel) -> str:
    (c_mp, d_mp), (c_k, d_k) = mp, kernel
    if abs(c_mp - c_k) > 1e-6 or (
        math.isfinite(d_mp) and math.isfinite(d_k) and abs(d_mp - d_k) > 1e-6
    ):
        return (
            "GEOS picks another rectangle on a near-degenerate hull "
            "(floating-point rounding)"
        )
    return "geodesic within 1e-6 m of the threshold (Vincenty vs Karney)"


def match_counts(theirs, mine):
    """(matched within one report, exact, overlapping) MovingPandas stops."""
    pool: dict[int, list] = {}
    for st in mine:
        pool.setdefault(st[0], []).append(st)
    matched = exact = overlap = 0
    for k, s, e in theirs:
        cand = pool.get(k, [])
        matched += any(abs(s - o[1]) <= 1 and abs(e - o[2]) <= 1 for o in cand)
        exact += (k, s, e) in cand
        overlap += any(o[1] <= e and o[2] >= s for o in cand)
    return matched, exact, overlap


def compare(name: str, df: pd.DataFrame) -> dict:
    p, t_split = split_pieces(df)
    theirs, t_mp_ranges, t_mp_segments = mp_stops(p)
    mine, t_kernel, t_first = kernel_stops(p)
    compat, t_compat, t_compat_first = kernel_stops(p, "movingpandas")
    c_match, c_exact, _ = match_counts(theirs, compat)
    c_extra = len(compat) - match_counts(compat, theirs)[0]
    compat_diffs = []
    theirs_set, compat_set = set(theirs), set(compat)
    for k in sorted({st[0] for st in theirs_set ^ compat_set}):
        a, b = p.offsets[k], p.offsets[k + 1]
        for step, first, n, m_mp, m_k in replay_compatible(
            p.t_ns[a:b], p.lat[a:b], p.lon[a:b]
        ):
            compat_diffs.append(
                {
                    "piece": p.ids[k],
                    "window": f"{first}..{step}",
                    "n": n,
                    "mp_corner_m": round(m_mp[0], 6),
                    "mp_diagonal_m": round(m_mp[1], 6),
                    "kernel_corner_m": round(m_k[0], 6),
                    "kernel_diagonal_m": round(m_k[1], 6),
                    "cause": compatible_cause(m_mp, m_k),
                }
            )
    by_piece_mine: dict[int, list] = {}
    for k, s, e in mine:
        by_piece_mine.setdefault(k, []).append((k, s, e))
    by_piece_theirs: dict[int, list] = {}
    for k, s, e in theirs:
        by_piece_theirs.setdefault(k, []).append((k, s, e))

    def matched(stop, pool):
        k, s, e = stop
        return any(abs(s - o[1]) <= 1 and abs(e - o[2]) <= 1 for o in pool.get(k, []))

    def exact(stop, pool):
        return stop in pool.get(stop[0], [])

    n_match = sum(matched(st, by_piece_mine) for st in theirs)
    n_exact = sum(exact(st, by_piece_mine) for st in theirs)

    def overlapped(stop, pool):
        k, s, e = stop
        return any(o[1] <= e and o[2] >= s for o in pool.get(k, []))

    n_overlap = sum(overlapped(st, by_piece_mine) for st in theirs)
    # How far the boundaries of the unmatched stops moved (reports, minutes).
    shifts = []
    for st in theirs:
        if matched(st, by_piece_mine):
            continue
        k, s, e = st
        pool = [o for o in by_piece_mine.get(k, []) if o[1] <= e and o[2] >= s]
        if not pool:
            continue
        o = max(pool, key=lambda o: min(e, o[2]) - max(s, o[1]))
        a = p.offsets[k]
        t = p.t_ns[a : p.offsets[k + 1]]
        shifts.append(
            (
                max(abs(o[1] - s), abs(o[2] - e)),
                max(abs(t[o[1]] - t[s]), abs(t[o[2]] - t[e])) / 6e10,
            )
        )
    # Matching by how wide the stop truly is (largest great-circle distance).
    bands = {}
    for st in theirs:
        k, s, e = st
        a = p.offsets[k]
        d = true_diameter_m(p.lat[a + s : a + e + 1], p.lon[a + s : a + e + 1])
        band = "< 400 m" if d < 400 else ("400-450 m" if d < 450 else ">= 450 m")
        hit = bands.setdefault(band, [0, 0])
        hit[0] += 1
        hit[1] += matched(st, by_piece_mine)
    diffs = []
    replays_ok = [0, 0]
    for k in sorted(
        {st[0] for st in theirs if not matched(st, by_piece_mine)}
        | {st[0] for st in mine if not matched(st, by_piece_theirs)}
    ):
        a, b = p.offsets[k], p.offsets[k + 1]
        mp_run, true_run, causes = replay(p.t_ns[a:b], p.lat[a:b], p.lon[a:b])
        replays_ok[0] += mp_run == [st[1:] for st in by_piece_theirs.get(k, [])]
        replays_ok[1] += true_run == [st[1:] for st in by_piece_mine.get(k, [])]
        unmatched = [
            ("MP", st)
            for st in by_piece_theirs.get(k, [])
            if not matched(st, by_piece_mine)
        ]
        unmatched += [
            ("kernel", st)
            for st in by_piece_mine.get(k, [])
            if not matched(st, by_piece_theirs)
        ]
        for who, (_, s0, e0) in unmatched:
            before = [c for c in causes if c.step <= e0 + 1]
            cause = before[-1] if before else (causes[0] if causes else None)
            diffs.append(
                {
                    "detector": who,
                    "piece": p.ids[k],
                    "rows": f"{s0}..{e0}",
                    "cause_step": cause.step if cause else -1,
                    "window": f"{cause.first}..{cause.step}" if cause else "-",
                    "n": cause.n if cause else 0,
                    "stopped": cause.stopped if cause else False,
                    "mp_corner_m": round(cause.corner_m, 1) if cause else math.nan,
                    "mp_diagonal_m": round(cause.diagonal_m, 1) if cause else math.nan,
                    "true_diameter_m": round(cause.true_m, 1) if cause else math.nan,
                    "cause": cause.kind if cause else "unexplained",
                }
            )
    n_replayed = len({d["piece"] for d in diffs})
    n_points = len(p.t_ns)
    return {
        "data": name,
        "points": n_points,
        "pieces": len(p.ids),
        "mp_stops": len(theirs),
        "kernel_stops": len(mine),
        "matched": n_match,
        "exact": n_exact,
        "matched_pct": 100.0 * n_match / len(theirs) if theirs else float("nan"),
        "overlapping": n_overlap,
        "shifts": shifts,
        "bands": bands,
        "mp_split_s": t_split,
        "mp_stop_ranges_s": t_mp_ranges,
        "mp_stop_segments_s": t_mp_segments,
        "kernel_s": t_kernel,
        "kernel_first_call_s": t_first,
        "compat_stops": len(compat),
        "compat_matched": c_match,
        "compat_exact": c_exact,
        "compat_matched_pct": (
            100.0 * c_match / len(theirs) if theirs else float("nan")
        ),
        "compat_unmatched_kernel": c_extra,
        "compat_s": t_compat,
        "compat_first_call_s": t_compat_first,
        "compat_diffs": compat_diffs,
        "diffs": diffs,
        "replayed_pieces": n_replayed,
        "mp_replay_exact": replays_ok[0],
        "kernel_replay_exact": replays_ok[1],
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--points", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-real", action="store_true", help="generated tracks only")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    datasets = [
        (
            f"generated {args.points:,} pts, seed {args.seed}",
            load_generated(args.points, args.seed),
        )
    ]
    if not args.no_real:
        datasets += [
            ("Boston GeoPackage (real)", load_boston()),
            ("MarineCadastre CSV (real)", load_marinecadastre()),
            ("DMA AisAbnormal NMEA (real)", load_dma_nmea()),
            ("GFW segmenter cases (real)", load_gfw_regression()),
        ]
    results = [compare(name, df) for name, df in datasets]
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    pd.set_option("display.max_colwidth", 80)
    summary = pd.DataFrame(
        [
            {k: v for k, v in r.items() if k not in ("diffs", "compat_diffs")}
            for r in results
        ]
    )
    print("Stops: MovingPandas TrajectoryStopDetector vs kernels.stop_segments")
    print(
        f"max_diameter {MAX_DIAMETER_M:.0f} m, min_duration {MIN_DURATION}, "
        f"pieces from ObservationGapSplitter({SPLIT_GAP})\n"
    )
    print(
        summary[
            [
                "data",
                "points",
                "pieces",
                "mp_stops",
                "kernel_stops",
                "matched",
                "exact",
                "matched_pct",
                "overlapping",
            ]
        ].to_string(index=False)
    )
    print(
        '\nCompatible mode, stop_segments(..., diameter="movingpandas") '
        "(MovingPandas' own criterion):"
    )
    print(
        summary[
            [
                "data",
                "mp_stops",
                "compat_stops",
                "compat_matched",
                "compat_exact",
                "compat_matched_pct",
                "compat_unmatched_kernel",
            ]
        ].to_string(index=False)
    )
    c_total = int(summary["compat_matched"].sum())
    c_exact = int(summary["compat_exact"].sum())
    print(
        f"all data, compatible mode: {c_total} of "
        f"{int(summary['mp_stops'].sum())} MovingPandas stops matched "
        f"({100.0 * c_total / max(int(summary['mp_stops'].sum()), 1):.1f} %), "
        f"{c_exact} exactly; "
        f"{int(summary['compat_unmatched_kernel'].sum())} kernel stops unmatched"
    )
    compat_diffs = pd.DataFrame(
        [d | {"data": r["data"]} for r in results for d in r["compat_diffs"]]
    )
    if len(compat_diffs):
        print(
            "windows where the compatible mode and MovingPandas decided "
            "differently (same window on both sides):"
        )
        print(compat_diffs.to_string(index=False))
    print("\nHonest mode (true diameter):")
    total_mp = int(summary["mp_stops"].sum())
    total_match = int(summary["matched"].sum())
    pct = 100.0 * total_match / max(total_mp, 1)
    total_overlap = int(summary["overlapping"].sum())
    print(
        f"\nall data: {total_match} of {total_mp} MovingPandas stops matched "
        f"({pct:.1f} %); {total_overlap} overlap a kernel stop "
        f"({100.0 * total_overlap / max(total_mp, 1):.1f} %)"
    )
    bands = {}
    for r in results:
        for band, (n, hit) in r["bands"].items():
            bands.setdefault(band, [0, 0])
            bands[band][0] += n
            bands[band][1] += hit
    shifts = np.array([x for r in results for x in r["shifts"]]).reshape(-1, 2)
    if len(shifts):
        q = np.percentile(shifts, [50, 90, 100], axis=0)
        print(
            "boundary shift of the unmatched stops against the overlapping "
            f"kernel stop: median {q[0, 0]:.0f} reports ({q[0, 1]:.0f} min), "
            f"90th percentile {q[1, 0]:.0f} ({q[1, 1]:.0f} min), "
            f"max {q[2, 0]:.0f} ({q[2, 1]:.0f} min)"
        )
    print("matched by the true diameter of MovingPandas' stop:")
    for band in ("< 400 m", "400-450 m", ">= 450 m"):
        n, hit = bands.get(band, (0, 0))
        if n:
            print(f"  {band:10s} {hit:5d} of {n:5d} ({100.0 * hit / n:.1f} %)")
    print()
    diffs = pd.DataFrame([d | {"data": r["data"]} for r in results for d in r["diffs"]])
    for r in results:
        if r["replayed_pieces"]:
            print(
                f"{r['data']}: MovingPandas' loop replayed on the "
                f"{r['replayed_pieces']} pieces with differences reproduces "
                f"MovingPandas' stops on {r['mp_replay_exact']} and, with the "
                f"true diameter, the kernel's stops on {r['kernel_replay_exact']}."
            )
    if len(diffs):
        print(
            "\nEvery difference, with the window where the two criteria first "
            "disagreed before it (MP corner: geodesic between bbox corners, "
            "prefilter < 750 m; MP diagonal: minimum-area rectangle in degrees):"
        )
        cols = [
            "data",
            "detector",
            "piece",
            "rows",
            "window",
            "n",
            "stopped",
            "mp_corner_m",
            "mp_diagonal_m",
            "true_diameter_m",
            "cause",
        ]
        print(diffs[cols].to_string(index=False))
        print("\ndifferences by cause:")
        print(diffs.groupby(["cause", "detector"]).size().to_string())
    print("\nSpeed (CPU seconds; kernel: median of 5 calls after compiling):")
    for r in results:
        ratio_r = (
            r["mp_stop_ranges_s"] / r["kernel_s"] if r["kernel_s"] > 0 else float("inf")
        )
        ratio_s = (
            r["mp_stop_segments_s"] / r["kernel_s"]
            if r["kernel_s"] > 0
            else float("inf")
        )
        ns_pt = r["kernel_s"] / max(r["points"], 1) * 1e9
        compat_ns = r["compat_s"] / max(r["points"], 1) * 1e9
        compat_r = r["mp_stop_ranges_s"] / r["compat_s"] if r["compat_s"] > 0 else 0
        compat_s = r["mp_stop_segments_s"] / r["compat_s"] if r["compat_s"] > 0 else 0
        print(
            f"  {r['data']}: {r['points']:,} pts\n"
            f"    MP get_stop_time_ranges {r['mp_stop_ranges_s']:.2f} s, "
            f"get_stop_segments {r['mp_stop_segments_s']:.2f} s\n"
            f"    kernel, true diameter {r['kernel_s'] * 1e3:.2f} ms "
            f"({ns_pt:.0f} ns/pt), first call {r['kernel_first_call_s']:.2f} s: "
            f"{ratio_r:.0f}x (time ranges), {ratio_s:.0f}x (segments)\n"
            f"    kernel, movingpandas mode {r['compat_s'] * 1e3:.2f} ms "
            f"({compat_ns:.0f} ns/pt), first call "
            f"{r['compat_first_call_s']:.2f} s: {compat_r:.0f}x (time ranges), "
            f"{compat_s:.0f}x (segments)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
