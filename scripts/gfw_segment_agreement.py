"""How closely coastwatch's segmentation agrees with Global Fishing Watch's.

Reads the GFW segmenter regression cases (``ais_real/labelled/
gfw_segmenter_regression_*``: 56 MMSIs, 9 days of ORBCOMM satellite and
terrestrial AIS, each message labelled with the segment GFW's segmenter gave
it), segments them with coastwatch, and prints per MMSI case and overall:

* ``ari``: the adjusted Rand index between GFW's segments and coastwatch's
  (1 = the same partition, 0 = no better than chance; it is 0 whenever one
  side puts every point in one group and the other does not);
* ``pairs``: the share of point pairs both put together or both put apart.

What is compared. GFW's segments split on identity (several transmitters on
one MMSI, ambiguous matches) and on silences longer than 24 h (its
``max_hours``); coastwatch by default cuts at silences of 2 h, the dark-gap
threshold, on purpose. So coastwatch runs with ``max_gap_h = 24`` and its
other defaults. Its track (identity) decisions do not depend on ``max_gap_h``
-- the script checks that they equal the default run's -- so this measures
exactly the identity separation of the default configuration, with GFW's time
rule.

Only position reports GFW placed in a segment of two or more points are
compared. GFW puts each message it judges noise (a bad position, a low-
resolution type 27 report within an hour of a matched track, a message its
lookback discarded) in a segment of its own; those singletons are counted
apart, with how many coastwatch flags as noise. Messages GFW dropped (repeated
message ids, repeated positions) and non-position messages are not compared.

Usage::

    python scripts/gfw_segment_agreement.py
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from coastwatch.config import SegmentConfig  # noqa: E402
from coastwatch.segmentation import segment  # noqa: E402

TARGET = 0.95


def pair_counts(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float, float]:
    """(pairs together in both, together in a, together in b, all pairs)."""
    _, a_codes = np.unique(a, return_inverse=True)
    _, b_codes = np.unique(b, return_inverse=True)
    joint = a_codes.astype(np.int64) * (b_codes.max() + 1) + b_codes
    n = len(a)

    def together(codes: np.ndarray) -> float:
        counts = np.bincount(codes).astype(float)
        return float((counts * (counts - 1) / 2).sum())

    return together(joint), together(a_codes), together(b_codes), n * (n - 1) / 2


def agreement(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Adjusted Rand index and pair agreement (Rand index) of two labelings."""
    both, in_a, in_b, total = pair_counts(a, b)
    if total == 0:
        return 1.0, 1.0
    rand = (total + 2 * both - in_a - in_b) / total
    expected = in_a * in_b / total
    maximum = (in_a + in_b) / 2
    ari = 1.0 if maximum == expected else (both - expected) / (maximum - expected)
    return ari, rand


def compare(tracks: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Per-case and overall agreement; see the module docstring."""
    default, _ = segment(tracks)
    frame, _ = segment(tracks, SegmentConfig(max_gap_h=24.0))
    if not (default["track"].to_numpy() == frame["track"].to_numpy()).all():
        raise AssertionError("track assignment depends on max_gap_h")
    # Noise per row: the row's track has fewer than min_noise_points reports.
    track_size = frame.groupby(["mmsi", "track"])["lat"].transform("size")
    frame["cw_noise"] = track_size < SegmentConfig().min_noise_points

    labelled = frame[frame["expected_seg_id"].notna()]
    gfw_size = labelled.groupby("expected_seg_id")["lat"].transform("size")
    singletons = labelled[gfw_size == 1]
    kept = labelled[gfw_size > 1]

    rows = []
    for case, group in kept.groupby("case"):
        gfw = group["expected_seg_id"].to_numpy()
        ours = group["segment"].to_numpy()
        ari, pairs = agreement(gfw, ours)
        rows.append(
            {
                "case": case,
                "mmsi_valid": bool(group["mmsi_valid"].iloc[0]),
                "points": len(group),
                "gfw_segments": len(np.unique(gfw)),
                "cw_segments": len(np.unique(ours)),
                "cw_tracks": group["track"].nunique(),
                "ari": ari,
                "pairs": pairs,
            }
        )
    table = pd.DataFrame(rows)
    weights = table["points"] * (table["points"] - 1) / 2
    pooled_ari, _ = agreement(
        kept["expected_seg_id"].to_numpy(), kept["segment"].to_numpy()
    )
    all_pairs = []
    for _, group in labelled.groupby("case"):
        n = len(group)
        _, pairs = agreement(
            group["expected_seg_id"].to_numpy(), group["segment"].to_numpy()
        )
        all_pairs.append((pairs, n * (n - 1) / 2))
    with_singletons = sum(p * w for p, w in all_pairs) / sum(w for _, w in all_pairs)
    overall = {
        "pooled_ari": pooled_ari,
        "within_mmsi_pairs_with_singletons": with_singletons,
        "within_mmsi_pairs": float((table["pairs"] * weights).sum() / weights.sum()),
        "mean_case_ari": float(table["ari"].mean()),
        "median_case_ari": float(table["ari"].median()),
        "compared_points": len(kept),
        "gfw_singletons": len(singletons),
        "singletons_type27": int((singletons["type"] == "AIS.27").sum()),
        "singletons_cw_noise": int(singletons["cw_noise"].sum()),
    }
    return table, overall


def main() -> int:
    import real_tracks

    warnings.filterwarnings("ignore")
    tracks = real_tracks.gfw_regression()
    table, overall = compare(tracks)
    pd.set_option("display.width", 200)
    print(
        table.to_string(
            index=False,
            float_format=lambda x: f"{x:.4f}",
        )
    )
    print()
    print(f"compared points (GFW segments of 2+ points): {overall['compared_points']}")
    print(
        f"GFW singleton segments (noise to GFW): {overall['gfw_singletons']} points, "
        f"{overall['singletons_type27']} of them type 27 reports; "
        f"{overall['singletons_cw_noise']} in coastwatch noise tracks"
    )
    print(
        f"overall: pooled ARI {overall['pooled_ari']:.4f} (all compared points; "
        "pairs across MMSIs always agree), within-MMSI pair agreement "
        f"{overall['within_mmsi_pairs']:.4f}, per-case ARI mean "
        f"{overall['mean_case_ari']:.4f} median {overall['median_case_ari']:.4f}"
    )
    print(
        "within-MMSI pair agreement counting GFW's singletons too: "
        f"{overall['within_mmsi_pairs_with_singletons']:.4f}"
    )
    low = table[table["ari"] < TARGET]
    if len(low):
        print(f"\ncases below {TARGET} ARI:")
        for row in low.itertuples():
            print(
                f"  {row.case}: {row.points} points, GFW {row.gfw_segments} "
                f"segments, coastwatch {row.cw_segments} segments on "
                f"{row.cw_tracks} tracks; pair agreement {row.pairs:.4f}; "
                f"MMSI {'valid' if row.mmsi_valid else 'malformed/placeholder'}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
