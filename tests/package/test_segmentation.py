"""coastwatch.segmentation and coastwatch.movingpandas_interop."""

from __future__ import annotations

import sys
import warnings
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import real_tracks
from hypothesis import given, settings
from hypothesis import strategies as st

from coastwatch.config import Config, SegmentConfig, load_config
from coastwatch.errors import ConfigError, InputError
from coastwatch.movingpandas_interop import (
    from_trajectory_collection,
    to_trajectory_collection,
)
from coastwatch.schema import conform_tracks
from coastwatch.segmentation import SEGMENT_ID_BASE, SUMMARY_COLUMNS, segment
from kernels._geo import destination, haversine_m

T0 = pd.Timestamp("2024-03-01", tz="UTC")
COMPATIBLE = SegmentConfig(movingpandas_compatible=True)


def table(rows, **extra) -> pd.DataFrame:
    """Track table from (mmsi, minutes after T0, lat, lon[, sog, cog]) rows."""
    rows = [tuple(r) + (np.nan,) * (6 - len(r)) for r in rows]
    mmsi, minutes, lat, lon, sog, cog = zip(*rows, strict=True)
    frame = pd.DataFrame(
        {
            "mmsi": mmsi,
            "timestamp": T0 + pd.to_timedelta(np.asarray(minutes), unit="min"),
            "lat": lat,
            "lon": lon,
            "sog": sog,
            "cog": cog,
            **extra,
        }
    )
    return conform_tracks(frame)


def steaming(mmsi, lat, lon, sog, cog, start_min, step_min, n):
    """Rows of a vessel on a steady course, one report every ``step_min``."""
    rows = []
    for k in range(n):
        metres = sog * 1852 / 60 * step_min * k
        la, lo = destination(lat, lon, cog, metres)
        rows.append((mmsi, start_min + step_min * k, la, lo, sog, cog))
    return rows


def movingpandas_pieces(tracks: pd.DataFrame, gap: timedelta):
    """(mmsi, start, end) of ObservationGapSplitter's pieces, sorted."""
    import geopandas as gpd
    import movingpandas as mpd

    gdf = gpd.GeoDataFrame(
        {
            "mmsi": tracks["mmsi"].to_numpy(),
            "timestamp": tracks["timestamp"].dt.tz_localize(None),
        },
        geometry=gpd.points_from_xy(tracks["lon"], tracks["lat"]),
        crs="EPSG:4326",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        collection = mpd.TrajectoryCollection(gdf, "mmsi", t="timestamp")
        pieces = mpd.ObservationGapSplitter(collection).split(gap=gap)
    return sorted(
        (
            int(str(p.id).split("_")[0]),
            pd.Timestamp(p.get_start_time()),
            pd.Timestamp(p.get_end_time()),
        )
        for p in pieces
    )


def coastwatch_pieces(summary: pd.DataFrame):
    return sorted(
        zip(
            summary["mmsi"].tolist(),
            summary["start"].dt.tz_localize(None).tolist(),
            summary["end"].dt.tz_localize(None).tolist(),
            strict=True,
        )
    )


# --------------------------------------------------------------------------
# generated traffic for property tests
# --------------------------------------------------------------------------


@st.composite
def traffic(draw, max_vessels=3, exact_duplicates_only=False):
    """A small track table: 1-3 MMSIs, 1-3 transmitters each, interleaved.

    Steps mix regular reports, repeated timestamps, silences just under, at
    and over 2 h, moored stretches and impossible jumps.
    """
    rows = []
    for m in range(draw(st.integers(1, max_vessels))):
        mmsi = 463_000_000 + m
        for _ in range(draw(st.integers(1, 3))):
            lat = draw(st.floats(20, 26))
            lon = draw(st.floats(56, 68))
            minute = draw(st.integers(0, 120))
            sog = draw(st.sampled_from([0.0, 0.0, 4.0, 12.0]))
            cog = draw(st.floats(0, 359))
            for _ in range(draw(st.integers(1, 12))):
                step = draw(st.sampled_from([0, 1, 2, 10, 119, 120, 121, 400]))
                minute += step
                lat, lon = destination(lat, lon, cog, sog * 1852 / 60 * step)
                jump = draw(st.sampled_from([0.0] * 6 + [3.0]))
                if step == 0 and exact_duplicates_only and rows:
                    rows.append(rows[-1])
                    continue
                report_sog = draw(st.sampled_from([sog, np.nan]))
                rows.append((mmsi, minute, lat + jump, lon, report_sog, cog))
    draw(st.randoms()).shuffle(rows)
    return table(rows, name=[f"v{r[0] % 10}" for r in rows])


# --------------------------------------------------------------------------
# API and summary
# --------------------------------------------------------------------------


def test_adds_track_and_segment_and_sorts():
    tracks = table(
        [
            (463012345, 190, 24.9, 66.99),
            (463012345, 0, 24.8, 66.90),
            (412000001, 5, 10.0, 60.0),
            (463012345, 10, 24.82, 66.92),
            (463012345, 180, 24.9, 66.99),
        ]
    )
    out, summary = segment(tracks)
    assert list(out.columns) == [*tracks.columns, "track", "segment"]
    assert out["mmsi"].tolist() == [412000001] + [463012345] * 4
    assert (out.groupby("mmsi")["timestamp"].diff().dropna() >= pd.Timedelta(0)).all()
    assert out["segment"].tolist() == [
        412000001 * SEGMENT_ID_BASE,
        463012345 * SEGMENT_ID_BASE,
        463012345 * SEGMENT_ID_BASE,
        463012345 * SEGMENT_ID_BASE + 1,
        463012345 * SEGMENT_ID_BASE + 1,
    ]
    assert out["track"].dtype == np.int64 and out["segment"].dtype == np.int64
    assert out.index.equals(pd.RangeIndex(5))
    assert list(summary.columns) == list(SUMMARY_COLUMNS)
    assert summary["segment"].is_monotonic_increasing


def test_summary_values():
    rows = [
        (463012345, 0, 24.80, 66.90, 10.0, 45.0),
        (463012345, 10, 24.82, 66.92, 12.0, 45.0),
        (463012345, 10, 24.82, 66.92, 12.0, 45.0),  # same report, twice
        (463012345, 20, 24.84, 66.94, np.nan, 45.0),
    ]
    _, summary = segment(table(rows))
    assert len(summary) == 1
    s = summary.iloc[0]
    assert s["segment"] == 463012345 * SEGMENT_ID_BASE
    assert (s["mmsi"], s["track"], s["points"], s["duplicates"]) == (
        463012345,
        0,
        4,
        1,
    )
    assert s["start"] == T0 and s["end"] == T0 + pd.Timedelta(minutes=20)
    want_km = (
        haversine_m(24.80, 66.90, 24.82, 66.92)
        + haversine_m(24.82, 66.92, 24.84, 66.94)
    ) / 1000
    assert s["distance_km"] == pytest.approx(want_km, rel=1e-12)
    assert s["mean_speed_kn"] == pytest.approx((10 + 12 + 12) / 3)
    assert s["max_speed_kn"] == 12.0
    assert (s["min_lat"], s["max_lat"]) == (24.80, 24.84)
    assert (s["min_lon"], s["max_lon"]) == (66.90, 66.94)
    assert not s["noise"]
    dtypes = summary.dtypes
    assert str(dtypes["start"]) == "datetime64[ns, UTC]"
    assert dtypes["noise"] == np.dtype(bool)
    for name in ("segment", "mmsi", "track", "points", "duplicates"):
        assert dtypes[name] == np.int64


def test_empty_table():
    out, summary = segment(table([(1, 0, 0.0, 0.0)]).iloc[:0])
    assert len(out) == 0 and len(summary) == 0
    assert list(summary.columns) == list(SUMMARY_COLUMNS)


def test_noise_is_flagged_never_dropped():
    rows = steaming(463012345, 24.8, 66.9, 10.0, 90.0, 0, 1, 20)
    rows[7] = (463012345, 7, 30.0, 66.9, 10.0, 90.0)  # 580 km off for a minute
    out, summary = segment(table(rows))
    assert len(out) == 20
    assert summary["noise"].tolist() == [False, True]
    assert summary["points"].tolist() == [19, 1]
    jump = out["lat"] == 30.0
    assert out.loc[jump, "track"].tolist() == [1]
    assert set(out.loc[~jump, "segment"]) == {463012345 * SEGMENT_ID_BASE}


def test_dark_gap_lies_between_two_segments_of_one_track():
    rows = steaming(463012345, 24.8, 66.9, 10.0, 90.0, 0, 5, 10)
    rows += steaming(463012345, 24.8, 67.3, 10.0, 90.0, 45 + 120, 5, 10)  # 2 h
    out, summary = segment(table(rows))
    assert out["track"].tolist() == [0] * 20
    assert summary["track"].tolist() == [0, 0]
    assert summary["start"].iloc[1] - summary["end"].iloc[0] == pd.Timedelta(hours=2)


def test_accepts_full_config_and_profiles():
    rows = [(1, 0, 0.0, 0.0), (1, 180, 0.0, 0.01)]  # 3 h apart
    assert len(segment(table(rows), Config())[1]) == 2
    assert len(segment(table(rows), load_config(profile="gfw"))[1]) == 1  # 6 h
    assert len(segment(table(rows), None)[1]) == 2


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("max_gap_h", 0.0, r"segment\.max_gap_h must be > 0, got 0\.0"),
        ("max_speed_kn", -1.0, r"segment\.max_speed_kn must be > 0"),
        ("max_open_tracks", 0, r"segment\.max_open_tracks must be >= 1, got 0"),
        ("min_noise_points", 0, r"segment\.min_noise_points must be >= 1"),
        ("time_slack_s", 0.0, r"segment\.time_slack_s must be > 0"),
        ("prediction_spread_kn", 0.0, r"segment\.prediction_spread_kn must be > 0"),
        ("ambiguity_ratio", 0.5, r"segment\.ambiguity_ratio must be >= 1, got 0\.5"),
    ],
)
def test_bad_config_values(field, value, message):
    config = SegmentConfig(**{field: value})
    with pytest.raises(ConfigError, match=message):
        segment(table([(1, 0, 0.0, 0.0)]), config)


def test_bad_config_type():
    with pytest.raises(
        ConfigError, match="must be a SegmentConfig or a Config, got dict"
    ):
        segment(table([(1, 0, 0.0, 0.0)]), {"max_gap_h": 1})


def test_missing_columns():
    frame = table([(1, 0, 0.0, 0.0)]).drop(columns=["lat"])
    with pytest.raises(InputError, match=r"lacks required column\(s\) \['lat'\]"):
        segment(frame)


def test_timestamp_must_be_datetime():
    frame = table([(1, 0, 0.0, 0.0)])
    frame["timestamp"] = "2024-03-01"
    with pytest.raises(InputError, match="column 'timestamp' must be datetime64"):
        segment(frame)


def test_mmsi_must_be_whole_numbers():
    frame = table([(1, 0, 0.0, 0.0)])
    frame["mmsi"] = ["abc"]
    with pytest.raises(InputError, match="column 'mmsi' must hold whole numbers"):
        segment(frame)


@pytest.mark.parametrize("mmsi", [-5, 10**13])
def test_mmsi_out_of_range_for_segment_ids(mmsi):
    with pytest.raises(InputError, match=r"<table>:2: 1 MMSI\(s\) outside \[0, "):
        segment(table([(1, 0, 0.0, 0.0), (mmsi, 0, 0.0, 0.0)]))


def test_too_many_segments_for_one_mmsi(monkeypatch):
    import coastwatch.segmentation as segmentation

    monkeypatch.setattr(segmentation, "SEGMENT_ID_BASE", 3)
    rows = [(7, 200 * k, 0.0, 0.0) for k in range(3)]  # 3 segments
    with pytest.raises(InputError, match="MMSI 7 has 3 segments; segment ids allow"):
        segmentation.segment(table(rows))


def test_missing_position_rows_stay_unplaced():
    rows = [(1, 0, 24.0, 60.0), (1, 1, np.nan, 60.0), (1, 2, 24.0, 60.001)]
    out, summary = segment(table(rows))
    assert out["segment"].tolist() == [SEGMENT_ID_BASE, -1, SEGMENT_ID_BASE]
    assert out["track"].tolist() == [0, -1, 0]
    assert summary["points"].tolist() == [2]


# --------------------------------------------------------------------------
# two ships on one MMSI
# --------------------------------------------------------------------------


def test_two_real_ships_sharing_one_mmsi_200_km_apart_are_two_clean_tracks():
    # Two real ships off Gothenburg, 5 s reports: the tanker is moved 200 km
    # east and given the passenger ship's MMSI, as a cloned identity would be.
    ships = real_tracks.gothenburg_gpkg()
    stena, tanker = 265410000, 265550210
    moved = ships["mmsi"] == tanker
    shift_deg = 200_000 / (111_195 * np.cos(np.radians(57.68)))
    cloned = ships.assign(
        lon=np.where(moved, ships["lon"] + shift_deg, ships["lon"]),
        mmsi=stena,
        true_ship=ships["mmsi"],
    )
    out, summary = segment(cloned)
    assert len(summary) == 2 and not summary["noise"].any()
    for ship, group in out.groupby("true_ship"):
        assert group["track"].nunique() == 1, ship
        assert group["segment"].nunique() == 1, ship
        alone, alone_summary = segment(ships[ships["mmsi"] == ship])
        own = summary.set_index("segment").loc[group["segment"].iloc[0]]
        assert own["points"] == len(alone)
        assert own["distance_km"] == pytest.approx(
            alone_summary["distance_km"].iloc[0], rel=1e-9
        )
    # Joined naively (no identity separation) the MMSI zig-zags 200 km each way.
    _, naive = segment(cloned, SegmentConfig(identity_separation=False))
    assert naive["distance_km"].sum() > 100 * summary["distance_km"].sum()


def test_gfw_case_argentina_and_china_is_two_clean_tracks():
    tracks = real_tracks.gfw_regression()
    case = tracks[tracks["mmsi"] == 412331088]
    _, summary = segment(case)
    real = summary[~summary["noise"]]
    assert real["track"].nunique() == 2
    south = real[real["max_lat"] < -40]  # off Argentina
    north = real[real["min_lat"] > 30]  # off China
    assert len(south) + len(north) == len(real)
    assert south["track"].nunique() == 1 and north["track"].nunique() == 1
    assert south["track"].iloc[0] != north["track"].iloc[0]
    assert south["points"].sum() + north["points"].sum() == len(case)


def test_gfw_agreement_overall():
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    import gfw_segment_agreement

    table_, overall = gfw_segment_agreement.compare(real_tracks.gfw_regression())
    assert overall["within_mmsi_pairs"] >= 0.95
    assert overall["pooled_ari"] >= 0.95
    assert (table_["ari"] >= 0.95).mean() >= 0.95


# --------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------


@settings(max_examples=150)
@given(traffic(), st.randoms())
def test_input_row_order_does_not_matter(tracks, random):
    out, summary = segment(tracks)
    shuffled = tracks.sample(frac=1.0, random_state=random.randint(0, 10**6))
    out2, summary2 = segment(shuffled)
    pd.testing.assert_frame_equal(out, out2)
    pd.testing.assert_frame_equal(summary, summary2)


@settings(max_examples=150)
@given(traffic(), st.integers(-(10**6), 10**6))
def test_shifting_all_timestamps_changes_nothing(tracks, minutes):
    shift = pd.Timedelta(minutes=minutes) + pd.Timedelta(nanoseconds=7)
    out, summary = segment(tracks)
    out2, summary2 = segment(tracks.assign(timestamp=tracks["timestamp"] + shift))
    pd.testing.assert_frame_equal(
        out.drop(columns="timestamp"), out2.drop(columns="timestamp")
    )
    assert ((out2["timestamp"] - out["timestamp"]) == shift).all()
    pd.testing.assert_frame_equal(
        summary.drop(columns=["start", "end"]), summary2.drop(columns=["start", "end"])
    )
    assert ((summary2["start"] - summary["start"]) == shift).all()


@settings(max_examples=150)
@given(traffic())
def test_per_vessel_runs_concatenate_to_the_whole(tracks):
    out, summary = segment(tracks)
    parts = [segment(group) for _, group in tracks.groupby("mmsi")]
    pd.testing.assert_frame_equal(
        pd.concat([p[0] for p in parts], ignore_index=True), out
    )
    pd.testing.assert_frame_equal(
        pd.concat([p[1] for p in parts], ignore_index=True), summary
    )


@settings(max_examples=150)
@given(traffic())
def test_segment_ids_unique_and_readable(tracks):
    out, summary = segment(tracks)
    assert summary["segment"].is_unique
    assert (summary["segment"] // SEGMENT_ID_BASE == summary["mmsi"]).all()
    assert summary["points"].sum() == (out["segment"] >= 0).sum() == len(tracks)
    per_segment = out.groupby("segment").agg(
        mmsi=("mmsi", "first"), track=("track", "first"), n=("mmsi", "size")
    )
    assert (out.groupby("segment")["track"].nunique() == 1).all()
    indexed = summary.set_index("segment")
    assert (per_segment["n"] == indexed["points"]).all()
    assert (per_segment["track"] == indexed["track"]).all()


# --------------------------------------------------------------------------
# MovingPandas
# --------------------------------------------------------------------------


def _round_trip(out: pd.DataFrame) -> None:
    back = from_trajectory_collection(to_trajectory_collection(out))
    pd.testing.assert_frame_equal(back, out)


@settings(max_examples=40)
@given(traffic())
def test_movingpandas_round_trip_loses_nothing(tracks):
    out, _ = segment(tracks)
    _round_trip(out)


@pytest.mark.parametrize("name", ["gfw_regression", "boston_gpkg", "gothenburg_gpkg"])
def test_movingpandas_round_trip_real(name):
    out, _ = segment(real_tracks.REAL_TABLES[name]())
    _round_trip(out)


@pytest.mark.slow
def test_movingpandas_round_trip_marinecadastre():
    out, _ = segment(real_tracks.marinecadastre())
    _round_trip(out)


def test_trajectory_collection_shape():
    rows = [
        *steaming(1, 24.0, 60.0, 10.0, 90.0, 0, 1, 5),
        (1, 4, 24.0, 60.5),  # same minute as the last report, far: own track
        (2, 0, 24.0, 61.0),
        (2, 0, 24.0, 61.0),
        (2, 1, 24.0, 61.001),
    ]
    out, _ = segment(table(rows, name="x"))
    collection = to_trajectory_collection(out)
    sizes = out.groupby("segment").size()
    assert [t.id for t in collection] == sizes.index[sizes > 1].tolist()
    assert {t.id: len(t.df) for t in collection} == sizes[sizes > 1].to_dict()
    # MovingPandas needs two rows per trajectory; the lone report rides along.
    singles = collection.single_report_segments
    assert singles["segment"].tolist() == sizes.index[sizes == 1].tolist()
    assert singles["lon"].tolist() == [60.5]
    first = collection.trajectories[0]
    assert first.obj_id == 1 and first.crs.to_epsg() == 4326
    assert first.df.index.is_monotonic_increasing and first.df.index.is_unique
    assert first.df.index.tz is None
    assert {"name", "timestamp", "track", "segment", "sog"} <= set(first.df.columns)
    # Without duplicates MovingPandas' one-row-per-time rule applies.
    dropped = to_trajectory_collection(out, keep_duplicates=False)
    assert sum(len(t.df) for t in dropped) == len(out) - 2


def test_to_trajectory_collection_needs_segments():
    with pytest.raises(InputError, match=r"\['segment'\]; run coastwatch.segment"):
        to_trajectory_collection(table([(1, 0, 0.0, 0.0)]))


def test_from_movingpandas_own_split_collection():
    import movingpandas as mpd

    rows = steaming(463012345, 24.8, 66.9, 10.0, 90.0, 0, 5, 6)
    rows += steaming(463012345, 24.8, 67.3, 10.0, 90.0, 300, 5, 6)
    out, _ = segment(table(rows))
    collection = to_trajectory_collection(out.assign(segment=0))
    pieces = mpd.ObservationGapSplitter(collection).split(gap=timedelta(hours=2))
    back = from_trajectory_collection(pieces)
    assert back["segment"].tolist() == out["segment"].tolist()
    assert back["mmsi"].tolist() == out["mmsi"].tolist()


def test_from_trajectory_collection_empty():
    import movingpandas as mpd

    with pytest.raises(InputError, match="holds no trajectories"):
        from_trajectory_collection(mpd.TrajectoryCollection([]))


def test_compatible_mode_where_default_differs():
    rows = [
        (1, 0, 24.0, 60.0),
        (1, 10, 24.0, 60.01),
        (1, 130, 24.0, 60.02),  # exactly 2 h later: default splits, MP does not
        (1, 400, 24.0, 60.03),  # alone between gaps: one point
        (1, 700, 24.0, 60.04),  # moored between gaps
        (1, 710, 24.0, 60.04),
    ]
    _, default = segment(table(rows))
    assert default["points"].tolist() == [2, 1, 1, 2]
    out, compatible = segment(table(rows), COMPATIBLE)
    assert compatible["points"].tolist() == [3]
    assert out["segment"].tolist() == [SEGMENT_ID_BASE] * 3 + [-1] * 3
    assert movingpandas_pieces(table(rows), timedelta(hours=2)) == coastwatch_pieces(
        compatible
    )


@settings(max_examples=60)
@given(traffic(exact_duplicates_only=True), st.sampled_from([1 / 60, 2.0, 2.01]))
def test_compatible_mode_equals_movingpandas_on_generated_tracks(tracks, gap_h):
    config = SegmentConfig(max_gap_h=gap_h, movingpandas_compatible=True)
    _, summary = segment(tracks, config)
    want = movingpandas_pieces(tracks, timedelta(hours=gap_h))
    assert coastwatch_pieces(summary) == want


@pytest.mark.parametrize("name", ["boston_gpkg", "gothenburg_gpkg"])
@pytest.mark.parametrize("gap_h", [2.0, 0.5, 1 / 60])
def test_compatible_mode_equals_movingpandas_on_real_files(name, gap_h):
    tracks = real_tracks.REAL_TABLES[name]()
    config = SegmentConfig(max_gap_h=gap_h, movingpandas_compatible=True)
    _, summary = segment(tracks, config)
    assert coastwatch_pieces(summary) == movingpandas_pieces(
        tracks, timedelta(hours=gap_h)
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", ["gfw_regression", "marinecadastre"])
@pytest.mark.parametrize("gap_h", [2.0, 0.5, 1 / 60])
def test_compatible_mode_equals_movingpandas_on_large_real_files(name, gap_h):
    test_compatible_mode_equals_movingpandas_on_real_files(name, gap_h)


def test_new_settings_load_from_toml(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text(
        "[segment]\n"
        "time_slack_s = 60\n"
        "prediction_spread_kn = 3.5\n"
        "ambiguity_ratio = 100\n"
        "movingpandas_compatible = true\n"
    )
    config = load_config(path).segment
    assert config.time_slack_s == 60.0 and isinstance(config.time_slack_s, float)
    assert config.prediction_spread_kn == 3.5
    assert config.ambiguity_ratio == 100.0
    assert config.movingpandas_compatible is True
    with pytest.raises(ConfigError, match="movingpandas_compatible must be true or"):
        load_config(overrides={"segment": {"movingpandas_compatible": 1}})


@pytest.mark.parametrize("odd_dtypes", [False, True])
def test_output_rows_are_the_input_rows_in_sorted_order(odd_dtypes):
    from coastwatch.schema import timestamps_ns
    from kernels.segment import vessel_time_order

    rows = steaming(463012345, 24.8, 66.9, 10.0, 90.0, 0, 5, 6)
    rows += steaming(412000001, 20.0, 60.0, 0.0, 0.0, 3, 5, 6)
    tracks = table(rows, name=[f"n{k}" for k in range(12)]).iloc[::-1]
    if odd_dtypes:
        tracks = tracks.astype(
            {"mmsi": "int32", "lat": "float32", "timestamp": "datetime64[us, UTC]"}
        )
    out, _ = segment(tracks)
    order = vessel_time_order(
        tracks["mmsi"].to_numpy(np.int64),
        timestamps_ns(tracks),
        tracks["lat"].to_numpy(np.float64),
        tracks["lon"].to_numpy(np.float64),
        tracks["sog"].to_numpy(np.float32),
        tracks["cog"].to_numpy(np.float32),
        True,
    )
    expected = tracks.take(order).reset_index(drop=True)
    pd.testing.assert_frame_equal(out.drop(columns=["track", "segment"]), expected)
