"""coastwatch.simulate: determinism, geography, AIS model, files, truth."""

import gzip
import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import simulated

from coastwatch import _sim_ais as sim_ais
from coastwatch import _sim_geo as sg
from coastwatch import geo
from coastwatch._sim_fleet import PSEUDO_ID_BASE, Vessel
from coastwatch._sim_paths import AT_ANCHOR, MOORED, UNDERWAY
from coastwatch._sim_paths import Path as SimPath
from coastwatch.accounting import REJECT_REASONS, ReadReport
from coastwatch.cli import main
from coastwatch.errors import InputError
from coastwatch.readers import read_tracks
from coastwatch.simulate import expected_read, simulate, write_scenario

HOUR = 3600.0


@pytest.fixture(scope="module")
def scenario():
    return simulated.scenario()


@pytest.fixture(scope="module")
def written(scenario, tmp_path_factory):
    """The scenario written in each format (NMEA gzipped)."""
    out = {}
    for fmt in ("csv", "parquet", "nmea"):
        folder = tmp_path_factory.mktemp(f"sim_{fmt}")
        write_scenario(scenario, folder, fmt, compress=fmt == "nmea")
        out[fmt] = folder
    return out


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --------------------------------------------------------------------------
# Determinism


def test_same_seed_gives_byte_identical_files(tmp_path):
    a = simulate("2024-02-01", vessels=40, seed=3)
    b = simulate("2024-02-01", vessels=40, seed=3)
    for fmt in ("csv", "nmea", "parquet"):
        write_scenario(a, tmp_path / f"a_{fmt}", fmt, compress=fmt == "csv")
        write_scenario(b, tmp_path / f"b_{fmt}", fmt, compress=fmt == "csv")
        fa = files_of(tmp_path / f"a_{fmt}")
        fb = files_of(tmp_path / f"b_{fmt}")
        assert fa.keys() == fb.keys()
        assert len(fa) == 8
        for name in fa:
            assert fa[name] == fb[name], name


def test_different_seed_gives_different_traffic(tmp_path):
    a = simulate("2024-02-01", vessels=40, seed=3)
    c = simulate("2024-02-01", vessels=40, seed=4)
    write_scenario(a, tmp_path / "a", "csv")
    write_scenario(c, tmp_path / "c", "csv")
    name = "ais/ais_2024-02-01.csv"
    assert files_of(tmp_path / "a")[name] != files_of(tmp_path / "c")[name]
    assert not a.truth[["start", "lat"]].equals(c.truth[["start", "lat"]])


# --------------------------------------------------------------------------
# Geography and motion


def test_no_true_or_observed_position_is_on_land(scenario):
    traj = scenario.trajectories(10.0)
    assert len(traj) > 100_000
    assert not geo.is_land(traj["lat"].to_numpy(), traj["lon"].to_numpy()).any()
    kf = scenario.keyframes
    assert not geo.is_land(kf["lat"].to_numpy(), kf["lon"].to_numpy()).any()
    feed = scenario.feed
    valid = feed["row_kind"].isin([sim_ais.ROW_OK, sim_ais.ROW_DUPLICATE])
    assert not geo.is_land(feed.loc[valid, "lat"], feed.loc[valid, "lon"]).any()
    tracks = scenario.tracks
    assert not geo.is_land(tracks["lat"], tracks["lon"]).any()


def test_every_leg_keeps_clear_of_the_coast(scenario):
    kf = scenario.keyframes
    same = kf["mmsi"].to_numpy()[1:] == kf["mmsi"].to_numpy()[:-1]
    moving = same & kf["present"].to_numpy()[:-1]
    lat, lon = kf["lat"].to_numpy(), kf["lon"].to_numpy()
    idx = np.flatnonzero(moving)
    assert sg.legs_clear(lat[idx], lon[idx], lat[idx + 1], lon[idx + 1]).all()


def test_trajectories_stay_in_the_window_and_the_box(scenario):
    traj = scenario.trajectories(60.0)
    assert traj["timestamp"].min() >= scenario.start
    assert traj["timestamp"].max() <= scenario.end
    box = geo.REGIONS["context"]
    assert box.contains(traj["lat"], traj["lon"]).all()
    assert traj.groupby("mmsi")["timestamp"].is_monotonic_increasing.all()


def test_speeds_by_behaviour_are_plausible(scenario):
    traj = scenario.trajectories(30.0)
    med = traj.groupby("behaviour")["sog"].median()
    q = traj.groupby("behaviour")["sog"]
    assert q.max()["gillnet_drift"] < 1.5 * 1.25
    assert q.quantile(0.99)["anchorage_wait"] < 0.5
    assert 24.0 <= med["fuel_run"] <= 36.0
    assert q.min()["trawl"] >= 2.4 and q.max()["trawl"] <= 4.05
    assert q.max()["moored"] == 0.0
    ships = traj[
        traj["mmsi"].isin(scenario.vessels.query("group == 'transit'")["mmsi"])
    ]
    assert 10.5 <= ships["sog"].median() <= 15.5


def test_sea_route_goes_round_the_gwadar_headland():
    # West Bay to East Bay of Gwadar: the straight line crosses the peninsula.
    west, east = (25.09, 62.25), (25.15, 62.38)
    assert not sg.legs_clear(*west, *east)[0]
    route = sg.sea_route(*west, *east)
    assert len(route) > 2
    assert sg.legs_clear(route[:-1, 0], route[:-1, 1], route[1:, 0], route[1:, 1]).all()
    assert tuple(route[0]) == west and tuple(route[-1]) == east


# --------------------------------------------------------------------------
# AIS reporting


def vessel(path: SimPath, klass: str, off=()) -> Vessel:
    return Vessel(
        0, 463000001, "TEST", "test", "test", 70, 100.0, klass, path, list(off)
    )


def straight(speed_kn: float, hours: float, status: int = UNDERWAY) -> SimPath:
    path = SimPath.start(0.0, 24.5, 63.0)
    lat, lon = sg.destination(24.5, 63.0, 90.0, speed_kn * sg.KNOT_M_S * hours * HOUR)
    path.to(hours * HOUR, float(lat), float(lon), status, "transit")
    return path


@pytest.mark.parametrize(
    ("klass", "speed", "status", "interval"),
    [
        ("A", 12.0, UNDERWAY, 10.0),
        ("A", 18.0, UNDERWAY, 6.0),
        ("A", 30.0, UNDERWAY, 2.0),
        ("A", 0.5, UNDERWAY, 10.0),
        ("A", 0.2, AT_ANCHOR, 180.0),
        ("A", 0.0, MOORED, 180.0),
        ("B", 1.5, UNDERWAY, 180.0),
        ("B", 8.0, UNDERWAY, 30.0),
        ("B", 25.0, UNDERWAY, 30.0),
    ],
)
def test_reporting_intervals_follow_itu_r_m1371(klass, speed, status, interval):
    rng = np.random.default_rng(0)
    tx = sim_ais.transmissions(
        vessel(straight(speed, 2.0, status), klass), 4 * HOUR, rng
    )
    gaps = np.diff(tx["t"])
    assert np.median(gaps) == pytest.approx(interval, abs=0.5)
    assert gaps.min() >= interval - 0.5
    assert len(tx["t"]) == pytest.approx(2 * HOUR / interval, abs=2)
    assert (tx["msg_type"] == (18 if klass == "B" else tx["msg_type"])).all()
    assert np.median(tx["sog"]) == pytest.approx(speed, abs=0.15)
    assert len(tx["static_t"]) == pytest.approx(2 * HOUR / 360.0, abs=1)


def test_class_a_reports_faster_while_turning():
    path = SimPath.start(0.0, 24.5, 63.0)
    d = 12.0 * sg.KNOT_M_S * HOUR
    lat, lon = sg.destination(24.5, 63.0, 90.0, d)
    path.to(HOUR, float(lat), float(lon), UNDERWAY, "transit")
    lat2, lon2 = sg.destination(float(lat), float(lon), 180.0, d)
    path.to(2 * HOUR, float(lat2), float(lon2), UNDERWAY, "transit")
    tx = sim_ais.transmissions(vessel(path, "A"), 3 * HOUR, np.random.default_rng(1))
    t = tx["t"]
    turning = (t > HOUR) & (t < HOUR + 60)
    assert np.median(np.diff(t[turning])) == pytest.approx(10.0 / 3.0, abs=0.4)
    later = t > HOUR + 120
    assert np.median(np.diff(t[later])) == pytest.approx(10.0, abs=0.5)


def test_no_transmission_while_the_transmitter_is_off():
    off = [(0.5 * HOUR, 1.5 * HOUR, "test")]
    tx = sim_ais.transmissions(
        vessel(straight(10.0, 2.0), "A", off), 4 * HOUR, np.random.default_rng(2)
    )
    t = tx["t"]
    assert not ((t > 0.5 * HOUR + 1) & (t < 1.5 * HOUR - 1)).any()
    assert (t < 0.5 * HOUR).any() and (t > 1.5 * HOUR).any()
    assert not ((tx["static_t"] > 0.5 * HOUR) & (tx["static_t"] < 1.5 * HOUR)).any()


def test_terrestrial_reception_falls_with_distance():
    model = sim_ais.AisModel()
    d = np.array([0.0, 20.0, 30.0, 40.0, 50.0])
    assert sim_ais.terrestrial_p(d, "A", model).tolist() == pytest.approx(
        [0.95, 0.95, 0.475, 0.0, 0.0]
    )
    assert sim_ais.terrestrial_p(
        np.array([5.0, 11.5, 15.0]), "B", model
    ).tolist() == pytest.approx([0.95, 0.475, 0.0])


def test_report_statistics_per_class(scenario):
    tracks = scenario.tracks
    klass = tracks["transceiver_class"]
    assert set(klass) <= {"A", "B"}
    assert (tracks.loc[klass == "B", "nav_status"] == 15).all()
    # Consecutive reports of a vessel are never closer than the fastest
    # interval (2 s; reports are whole seconds).
    same = tracks["mmsi"].to_numpy()[1:] == tracks["mmsi"].to_numpy()[:-1]
    dt = np.diff(tracks["timestamp"].astype("int64").to_numpy())[same] / 1e9
    assert dt.min() >= 2.0
    # Underway class A within shore coverage: mostly 10 s or faster.
    a = tracks[(klass == "A") & (tracks["nav_status"] == 0) & (tracks["sog"] > 3)]
    same = a["mmsi"].to_numpy()[1:] == a["mmsi"].to_numpy()[:-1]
    dt = np.diff(a["timestamp"].astype("int64").to_numpy())[same] / 1e9
    assert np.median(dt) <= 20.0
    moored = tracks[(klass == "A") & tracks["nav_status"].isin([1, 5])]
    same = moored["mmsi"].to_numpy()[1:] == moored["mmsi"].to_numpy()[:-1]
    dt = np.diff(moored["timestamp"].astype("int64").to_numpy())[same] / 1e9
    assert np.median(dt) >= 179.0
    # GPS noise: class A reports within tens of metres of the true track.
    traj = scenario.trajectories(1.0)
    sample = tracks[klass == "A"].iloc[::97]
    merged = sample.merge(traj, on=["mmsi", "timestamp"], suffixes=("", "_true"))
    err = sg.haversine_m(
        merged["lat"], merged["lon"], merged["lat_true"], merged["lon_true"]
    )
    assert len(merged) > 20
    assert np.median(err) < 25.0


# --------------------------------------------------------------------------
# Files and reading back


def assert_tracks_equal(read, expected, position_tol):
    assert len(read) == len(expected)
    assert (read["mmsi"].to_numpy() == expected["mmsi"].to_numpy()).all()
    assert (read["timestamp"].to_numpy() == expected["timestamp"].to_numpy()).all()
    np.testing.assert_allclose(read["lat"], expected["lat"], atol=position_tol)
    np.testing.assert_allclose(read["lon"], expected["lon"], atol=position_tol)
    np.testing.assert_allclose(read["sog"], expected["sog"], atol=0.051)
    np.testing.assert_allclose(read["cog"], expected["cog"], atol=0.051)
    np.testing.assert_array_equal(
        np.isnan(read["heading"]), np.isnan(expected["heading"])
    )
    assert (read["nav_status"].to_numpy() == expected["nav_status"].to_numpy()).all()
    assert (
        read["transceiver_class"].to_numpy() == expected["transceiver_class"].to_numpy()
    ).all()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_feed_reads_back_with_exact_accounting(scenario, written, fmt):
    folder = written[fmt]
    report = ReadReport()
    tracks = read_tracks(folder / "ais", report=report)
    meta = json.loads((folder / "scenario.json").read_text())
    ((name, expected),) = meta["expected_read"].items()
    assert expected == expected_read(scenario, fmt)[name]
    (entry,) = report.files
    assert entry.read == expected["read"]
    assert entry.accepted == expected["accepted"]
    assert dict(entry.rejected) == {k: v for k, v in expected["rejected"].items() if v}
    assert expected["rejected"]["mmsi_zero"] >= 3
    assert expected["rejected"]["position_not_available"] >= 3
    assert expected["rejected"]["duplicate"] > 0
    assert_tracks_equal(tracks, scenario.tracks, 1e-9)
    assert (tracks["name"].to_numpy() == scenario.tracks["name"].to_numpy()).all()
    assert (
        tracks["ship_type"].to_numpy() == scenario.tracks["ship_type"].to_numpy()
    ).all()


def test_nmea_feed_reads_back_with_exact_accounting(scenario, written):
    pytest.importorskip("coastwatch.nmea")
    if "multipart_continuation" not in REJECT_REASONS:
        pytest.skip("this reader does not count multi-sentence continuation lines")
    folder = written["nmea"]
    report = ReadReport()
    tracks = read_tracks(folder / "ais", report=report)
    ((_, expected),) = json.loads((folder / "scenario.json").read_text())[
        "expected_read"
    ].items()
    (entry,) = report.files
    rejected = dict(entry.rejected)
    dups = rejected.pop("duplicate_relay", 0) + rejected.pop("duplicate", 0)
    want = dict(expected["rejected"])
    assert dups == want.pop("duplicate_relay+duplicate")
    assert entry.read == expected["read"]
    assert entry.accepted == expected["accepted"]
    assert rejected == {k: v for k, v in want.items() if v}
    # NMEA positions are quantised to 1/10000 minute.
    assert_tracks_equal(tracks, scenario.tracks, 2e-6)
    # Names come from static messages; a vessel heard only a few times may
    # have none received.
    names = tracks["name"].to_numpy()
    same = names == scenario.tracks["name"].to_numpy()
    assert (same | (names == "")).all()
    assert same.mean() > 0.9


def test_nmea_lines_carry_checked_tag_blocks_and_static_messages(written):
    path = next((written["nmea"] / "ais").glob("*.nmea.gz"))
    with gzip.open(path, "rt") as handle:
        lines = handle.read().splitlines()
    assert all(line.startswith("\\") for line in lines)
    tags = []
    sentences = []
    for line in lines:
        tag, sentence = line[1:].split("\\", 1)
        tags.append(tag)
        sentences.append(sentence)
    for tag in tags[:500]:
        body, check = tag.rsplit("*", 1)
        value = 0
        for ch in body.encode():
            value ^= ch
        assert f"{value:02X}" == check
    assert all(s.startswith("!AIVDM,") for s in sentences)
    first = [s.split(",") for s in sentences if s.split(",")[2] == "1"]
    payload_types = {fields[5][0] for fields in first}
    assert {"1", "5", "B", "H"} <= payload_types  # types 1, 5, 18, 24
    assert any(t.startswith("g:1-2-") for t in tags)
    assert any("s:SAT" in t for t in tags)
    times = [
        int(t.split("c:")[1].split("*")[0])
        for t in tags
        if "c:" in t and t.split("c:")[1].split("*")[0].isdigit()
    ]
    assert any(b < a for a, b in itertools.pairwise(times))  # late arrivals
    assert (
        sum("c:" in t and not t.split("c:")[1].split("*")[0].isdigit() for t in tags)
        >= 3
    )


def test_scenario_folder_layout_and_metadata(scenario, written):
    folder = written["csv"]
    names = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert names == [
        "ais/ais_2024-01-15.csv",
        "scenario.json",
        "truth/incidents.csv",
        "truth/keyframes.parquet",
        "truth/transmitter_off.csv",
        "truth/truth.csv",
        "truth/truth.parquet",
        "truth/vessels.csv",
    ]
    meta = json.loads((folder / "scenario.json").read_text())
    assert meta["seed"] == 11 and meta["vessels"] == 90 and meta["days"] == 1
    assert meta["incidents"] == 5
    assert "coastwatch simulate --day 2024-01-15" in meta["regenerate"]
    truth = pd.read_parquet(folder / "truth" / "truth.parquet")
    pd.testing.assert_frame_equal(truth, scenario.truth)
    csv = pd.read_csv(
        folder / "truth" / "truth.csv", keep_default_na=False, na_values=[""]
    )
    assert len(csv) == len(truth)
    assert set(csv.columns) == set(truth.columns)


# --------------------------------------------------------------------------
# Truth


def test_every_planted_incident_is_in_the_truth(scenario):
    truth = scenario.truth
    incidents = scenario.incidents
    assert sorted(incidents["kind"]) == sorted(
        [
            "mother_ship_beach_run",
            "dark_border_transit",
            "night_loiter",
            "ais_rendezvous",
            "dark_meeting",
        ]
    )
    for inc in incidents.itertuples():
        mine = truth[truth["incident_id"] == inc.incident_id]
        assert len(mine), inc.incident_id
        assert mine["illicit"].all()
        kinds = set(mine["kind"])
        if inc.kind == "dark_border_transit":
            gap = mine[mine["kind"] == "dark_gap"]
            assert len(gap) == 1 and bool(gap["border_crossing"].iloc[0])
            assert 4.0 <= gap["duration_h"].iloc[0] <= 12.0
            assert 7.0 * 0.6 <= gap["implied_speed_kn"].iloc[0] <= 10.0
        elif inc.kind == "night_loiter":
            assert "loitering" in kinds
            assert mine.loc[mine["kind"] == "loitering", "duration_h"].max() >= 5.0
        elif inc.kind == "mother_ship_beach_run":
            assert "rendezvous" in kinds and "loitering" in kinds
        elif inc.kind == "ais_rendezvous":
            rdv = mine[mine["kind"] == "rendezvous"]
            assert len(rdv) == 1 and rdv["min_separation_m"].iloc[0] <= 200.0
        elif inc.kind == "dark_meeting":
            assert (mine["kind"] == "dark_gap").sum() == 2
            drdv = mine[mine["kind"] == "dark_rendezvous"]
            assert len(drdv) == 1 and bool(drdv["met"].iloc[0])
        mmsis = {int(m) for m in inc.mmsis.split(";")}
        assert set(mine["mmsi"]) | set(mine["other_mmsi"].dropna().astype(int)) <= mmsis


def test_truth_events_respect_the_definitions(scenario):
    truth = scenario.truth
    cfg = scenario.config
    loiter = truth[truth["kind"] == "loitering"]
    assert (loiter["duration_h"] >= cfg.loitering.min_duration_h).all()
    assert (loiter["mean_speed_kn"] < cfg.loitering.max_speed_kn).all()
    rdv = truth[truth["kind"] == "rendezvous"]
    assert (rdv["duration_h"] >= cfg.rendezvous.min_duration_h).all()
    assert (rdv["min_separation_m"] <= cfg.rendezvous.max_distance_m).all()
    assert (rdv["mean_separation_m"] <= cfg.rendezvous.max_distance_m).all()
    assert (
        (rdv[["mean_speed_kn", "other_mean_speed_kn"]] < cfg.rendezvous.max_speed_kn)
        .all()
        .all()
    )
    assert (rdv["mmsi"] < rdv["other_mmsi"]).all()
    gaps = truth[truth["kind"] == "dark_gap"]
    assert (gaps["duration_h"] >= cfg.gaps.min_gap_h).all()
    drdv = truth[truth["kind"] == "dark_rendezvous"]
    assert (drdv["duration_h"] >= cfg.dark_rendezvous.min_overlap_h).all()
    assert len(loiter) and len(rdv) and len(gaps) and len(drdv)
    assert not truth["in_port"].any()
    assert (truth["start"] >= scenario.start).all() and (
        truth["end"] <= scenario.end
    ).all()
    assert truth["risk"].isna().all()


def test_loitering_truth_against_the_true_trajectory(scenario):
    traj = scenario.trajectories(10.0).set_index(["mmsi", "timestamp"]).sort_index()
    loiter = scenario.truth[scenario.truth["kind"] == "loitering"]
    for ev in loiter.iloc[:: max(1, len(loiter) // 40)].itertuples():
        pts = traj.loc[ev.mmsi].loc[ev.start : ev.end]
        assert (pts["sog"] < 2.0).all()
        d = sg.haversine_m(
            pts["lat"].iloc[0], pts["lon"].iloc[0], pts["lat"], pts["lon"]
        )
        assert d.max() <= 2000.0


def test_rendezvous_truth_against_the_true_trajectory(scenario):
    traj = scenario.trajectories(30.0).set_index(["mmsi", "timestamp"]).sort_index()
    rdv = scenario.truth[scenario.truth["kind"] == "rendezvous"]
    for ev in rdv.iloc[:: max(1, len(rdv) // 40)].itertuples():
        a = traj.loc[ev.mmsi].loc[ev.start : ev.start]
        b = traj.loc[ev.other_mmsi].loc[ev.start : ev.start]
        d = sg.haversine_m(
            a["lat"].iloc[0], a["lon"].iloc[0], b["lat"].iloc[0], b["lon"].iloc[0]
        )
        assert d <= 500.0


def test_dark_gaps_come_from_the_transmitter_schedule(scenario):
    off = scenario.transmitter_off
    feed = scenario.feed
    start_s = scenario.start.value / 1e9
    gaps = scenario.truth[scenario.truth["kind"] == "dark_gap"]
    for ev in gaps.itertuples():
        match = off[
            (off["mmsi"] == ev.mmsi)
            & (off["start"] == ev.start)
            & (off["end"] == ev.end)
        ]
        assert len(match) == 1
        t = feed.loc[feed["mmsi"] == ev.mmsi, "t"].to_numpy() + start_s
        inside = (t > ev.start.value / 1e9 + 1) & (t < ev.end.value / 1e9 - 1)
        assert not inside.any()
    # Coverage holes are not gaps: every truth gap is a switch-off.
    assert len(gaps) <= len(off)


def test_vessels_without_ais_are_in_truth_but_not_observable(scenario):
    truth = scenario.truth
    pseudo = truth["mmsi"] >= PSEUDO_ID_BASE
    other = truth["other_mmsi"].fillna(0).astype("int64") >= PSEUDO_ID_BASE
    no_ais = truth[pseudo | other]
    assert len(no_ais) > 10
    assert not no_ais["observable"].any()
    assert not no_ais["has_ais"].any()
    vessels = scenario.vessels
    assert (vessels["pseudo_id"] == ~vessels["has_ais"]).all()
    assert (
        not scenario.tracks["mmsi"].isin(vessels.loc[~vessels["has_ais"], "mmsi"]).any()
    )
    obs = truth[truth["observable"]]
    assert obs["has_ais"].all()
    assert len(obs) >= 3


def test_look_alikes_are_in_the_truth(scenario):
    behaviours = set(scenario.truth["behaviour"])
    assert {"gillnet_drift", "inshore_nets", "fuel_unloading"} <= behaviours
    assert behaviours & {"pair_trawl", "fishing_together"}
    assert (
        not scenario.truth.loc[~scenario.truth["illicit"], "incident_id"]
        .astype(bool)
        .any()
    )


# --------------------------------------------------------------------------
# Errors and command


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"day": "15/01/2024x"}, "day must be a date"),
        ({"day": "2024-01-15 06:00"}, r"day must be a date \(UTC midnight\)"),
        ({"days": 0}, "days must be a whole number"),
        ({"vessels": 5}, "vessels must be a whole number"),
        ({"seed": -1}, "seed must be a whole number"),
        ({"incidents_per_day": (4, 2)}, "incidents_per_day must be"),
    ],
)
def test_invalid_arguments_raise(kwargs, message):
    args = {"day": "2024-01-15", "days": 1, "vessels": 20, "seed": 0}
    args.update(kwargs)
    with pytest.raises(InputError, match=message):
        simulate(**args)


def test_invalid_write_options_raise(scenario, tmp_path):
    with pytest.raises(InputError, match="format must be one of csv, nmea, parquet"):
        write_scenario(scenario, tmp_path, "json")
    with pytest.raises(InputError, match="compress applies to csv and nmea"):
        write_scenario(scenario, tmp_path, "parquet", compress=True)
    with pytest.raises(InputError, match="step_s must be > 0"):
        scenario.trajectories(0)


def test_command_writes_a_scenario(tmp_path, capsys):
    out = tmp_path / "scn"
    args = [
        "simulate",
        "--day",
        "2024-01-15",
        "--vessels",
        "30",
        "--seed",
        "2",
        "-o",
        str(out),
        "--format",
        "parquet",
        "--no-keyframes",
    ]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "truth loitering" in text and "planted incident" in text
    assert (out / "ais" / "ais_2024-01-15.parquet").is_file()
    assert not (out / "truth" / "keyframes.parquet").exists()
    assert (
        main(
            [
                "evaluate",
                "--truth",
                str(out),
                "--events",
                str(out / "truth" / "truth.parquet"),
            ]
        )
        == 0
    )
    assert "dark_gap" in capsys.readouterr().out
    assert (
        main(
            [
                "simulate",
                "--day",
                "2024-01-15",
                "--vessels",
                "3",
                "--seed",
                "2",
                "-o",
                str(out),
            ]
        )
        == 2
    )
    assert "vessels must be a whole number" in capsys.readouterr().err


# --------------------------------------------------------------------------
# The bundled sample day

SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "data"
    / "ais_samples"
    / "makran_sim_2024-01-15"
)


def test_bundled_sample_reads_back_as_its_scenario_says():
    meta = json.loads((SAMPLE / "scenario.json").read_text())
    report = ReadReport()
    tracks = read_tracks(SAMPLE / "ais", report=report)
    ((_, expected),) = meta["expected_read"].items()
    (entry,) = report.files
    assert entry.read == expected["read"]
    assert entry.accepted == expected["accepted"] == len(tracks)
    assert dict(entry.rejected) == {k: v for k, v in expected["rejected"].items() if v}
    truth = pd.read_parquet(SAMPLE / "truth" / "truth.parquet")
    incidents = pd.read_csv(SAMPLE / "truth" / "incidents.csv")
    assert len(incidents) == meta["incidents"] == 5
    assert set(incidents["incident_id"]) <= set(truth["incident_id"])
    for kind, counts in meta["truth_counts"].items():
        sel = truth[truth["kind"] == kind]
        assert len(sel) == counts["all"]
        assert int(sel["observable"].sum()) == counts["observable"]


@pytest.mark.slow
def test_bundled_sample_matches_its_regeneration_command(tmp_path):
    meta = json.loads((SAMPLE / "scenario.json").read_text())
    command = (
        meta["regenerate"].replace("coastwatch ", "", 1).replace("DIR", str(tmp_path))
    )
    assert main(command.split()) == 0
    for path in sorted(SAMPLE.rglob("*")):
        if path.is_file() and path.name != "README.md":
            assert (
                path.read_bytes() == (tmp_path / path.relative_to(SAMPLE)).read_bytes()
            ), path
