import io
import time
from dataclasses import replace

import h5py
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from fabricate_day import shared_day
from PIL import Image

from coastwatch import read_tracks
from coastwatch.config import Config, GridConfig
from coastwatch.errors import ConfigError, InputError
from coastwatch.events import EVENT_KINDS, finalise_events
from coastwatch.heatmaps import (
    grid_spec,
    render_heatmap,
    render_layers,
    risk_grid,
    write_netcdf,
)

FINE_VARS = (
    "traffic_hours",
    "loitering_hours",
    "rendezvous_count",
    "dark_rendezvous_count",
    "risk",
    "risk_normalised",
)


def _config(**grid):
    return replace(Config(), grid=replace(GridConfig(), **grid))


def _tracks(rows):
    """rows: (mmsi, ISO time, lat, lon[, segment])."""
    frame = pd.DataFrame(
        [r[:4] for r in rows], columns=["mmsi", "timestamp", "lat", "lon"]
    )
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    if len(rows[0]) > 4:
        frame["segment"] = [r[4] for r in rows]
    return frame


def _events(rows):
    """rows: dicts with kind, mmsi, start, hours, lat, lon, risk (+ extras)."""
    out = []
    for r in rows:
        r = dict(r)
        start = pd.Timestamp(r.pop("start"), tz="UTC")
        out.append(
            {
                "start": start,
                "end": start + pd.Timedelta(hours=r.pop("hours", 1.0)),
                **r,
            }
        )
    return finalise_events(pd.DataFrame(out))


def _reference_traffic_hours(tracks, max_dt_s, box):
    """Plain loops: half of each short interval to each end's cell, in box."""
    lon0, lon1, lat0, lat1 = box
    total = 0.0
    key = "segment" if "segment" in tracks else "mmsi"
    for _, g in tracks.sort_values([key, "timestamp"]).groupby(key):
        t = g["timestamp"].astype("int64").to_numpy() // 10**9
        lat = g["lat"].to_numpy()
        lon = g["lon"].to_numpy()
        for i in range(len(g) - 1):
            dt = t[i + 1] - t[i]
            if dt <= 0 or dt > max_dt_s:
                continue
            for j in (i, i + 1):
                if lat0 <= lat[j] <= lat1 and lon0 <= lon[j] <= lon1:
                    total += dt / 2 / 3600
    return total


def test_grid_sums_equal_event_counts_hours_and_risk():
    day = shared_day()
    ds = risk_grid(day.tracks, day.events)
    assert list(ds["time"].values) == [np.datetime64("2024-03-01T00:00", "ns")]
    ev = day.events
    one = ds.isel(time=0)
    assert float(one["loitering_hours"].sum()) == pytest.approx(
        ev.loc[ev.kind == "loitering", "duration_h"].sum(), rel=1e-12
    )
    assert float(one["rendezvous_count"].sum()) == (ev.kind == "rendezvous").sum()
    assert float(one["dark_rendezvous_count"].sum()) == (
        (ev.kind == "dark_rendezvous").sum()
    )
    assert float(one["gap_count"].sum()) == pytest.approx((ev.kind == "dark_gap").sum())
    assert float(one["risk"].sum()) == pytest.approx(ev["risk"].sum(), rel=1e-12)
    for kind in EVENT_KINDS:
        assert int(one[f"{kind}_events"]) == (ev.kind == kind).sum()
    assert int(one["vessel_count"]) == day.tracks["mmsi"].nunique()
    expected = _reference_traffic_hours(day.tracks, 3600, (57.5, 68.0, 22.0, 26.0))
    assert float(one["traffic_hours"].sum()) == pytest.approx(expected, rel=1e-9)
    # Damping never raises risk, and is strongest where traffic is heaviest.
    assert (one["risk_normalised"] <= one["risk"] + 1e-15).all()


def test_traffic_hours_by_day_segment_and_max_interval():
    tracks = _tracks(
        [
            (1, "2024-03-01T23:30", 24.50, 62.00, 10),
            (1, "2024-03-01T23:50", 24.50, 62.00, 10),
            (1, "2024-03-02T00:10", 24.50, 62.00, 10),
            (1, "2024-03-02T00:30", 24.50, 62.00, 10),
            (1, "2024-03-02T03:00", 24.50, 62.00, 10),  # after 2.5 h: a gap
            # Another transmitter under the same MMSI, interleaved in time.
            (1, "2024-03-01T23:40", 24.00, 63.00, 11),
            (1, "2024-03-01T23:55", 24.00, 63.00, 11),
        ]
    )
    ds = risk_grid(tracks, None)
    assert [str(d)[:10] for d in ds["time"].values] == ["2024-03-01", "2024-03-02"]
    hours = ds["traffic_hours"].sum(("lat", "lon")).to_numpy()
    # Day 1: 23:30-23:50, 23:50-00:10 (first fix in day 1), 23:40-23:55.
    np.testing.assert_allclose(hours, [40 / 60 + 15 / 60, 20 / 60])
    cell = ds["traffic_hours"].sel(lat=24.51, lon=63.01, method="nearest")
    assert float(cell.isel(time=0)) == 0.0
    assert float(ds["traffic_hours"].sel(lat=24.01, lon=63.01).isel(time=0)) == (
        pytest.approx(0.25)
    )
    # Without the segment column the two transmitters interleave into one
    # zig-zag track per MMSI: 10 + 10 + 5 + 15 + 20 minutes, then the gap.
    merged = risk_grid(tracks.drop(columns="segment"), None)
    assert float(merged["traffic_hours"].sum()) == pytest.approx(1.0)
    # Row order does not matter.
    shuffled = risk_grid(tracks.sample(frac=1.0, random_state=3), None)
    xr.testing.assert_identical(shuffled, ds)


def test_gap_risk_split_and_corridor_on_coarse_grid():
    events = _events(
        [
            {
                "kind": "dark_gap",
                "mmsi": 7,
                "start": "2024-03-01T20:00",
                "hours": 4,
                "lat": 24.51,
                "lon": 62.01,
                "end_lat": 24.91,
                "end_lon": 63.01,
                "risk": 0.8,
            },
            {
                "kind": "loitering",
                "mmsi": 8,
                "start": "2024-03-01T10:00",
                "hours": 3,
                "lat": 23.01,
                "lon": 65.01,
                "risk": float("nan"),
            },
        ]
    )
    ds = risk_grid(None, events).isel(time=0)
    risk = ds["risk"]
    assert float(risk.sel(lat=24.51, lon=62.01)) == pytest.approx(0.4)
    assert float(risk.sel(lat=24.91, lon=63.01)) == pytest.approx(0.4)
    assert float(risk.sum()) == pytest.approx(0.8)  # NaN risk adds nothing
    assert float(ds["loitering_hours"].sel(lat=23.01, lon=65.01)) == 3.0
    gaps = ds["gap_count"]
    assert float(gaps.sum()) == pytest.approx(1.0)
    touched = gaps.where(gaps > 0, drop=True)
    # The corridor is sampled at segment midpoints from 62.01 to 63.01 E: the
    # last sample (62.999 E) lies in the column 62.9-63.0.
    assert touched.sizes["lon_coarse"] == 10
    assert float(touched["lat_coarse"].min()) == pytest.approx(24.55)
    assert float(touched["lat_coarse"].max()) == pytest.approx(24.95)


def test_risk_normalised_damps_busy_cells():
    k = 24.0
    busy = [
        (100 + v, f"2024-03-01T{h:02d}:{m:02d}", 24.03, 62.03)
        for v in range(10)
        for h in range(10, 15)
        for m in range(0, 60, 10)
    ]
    tracks = _tracks(busy)
    events = _events(
        [
            {"kind": "rendezvous", "mmsi": 1, "other_mmsi": 2,
             "start": "2024-03-01T12:00", "lat": 24.03, "lon": 62.03, "risk": 0.6},
            {"kind": "rendezvous", "mmsi": 3, "other_mmsi": 4,
             "start": "2024-03-01T12:00", "lat": 25.03, "lon": 63.03, "risk": 0.6},
        ]
    )  # fmt: skip
    ds = risk_grid(tracks, events).isel(time=0)
    traffic = float(ds["traffic_hours"].sum())
    assert traffic == pytest.approx(10 * (5 * 60 - 10) / 60)  # 10 vessels x 4:50
    norm = ds["risk_normalised"]
    assert float(norm.sel(lat=24.03, lon=62.03)) == pytest.approx(
        0.6 * k / (k + traffic)
    )
    assert float(norm.sel(lat=25.03, lon=63.03)) == pytest.approx(0.6)


def test_dims_coordinates_and_cf_attributes():
    ds = risk_grid(shared_day().tracks, shared_day().events)
    assert dict(ds.sizes) == {
        "time": 1,
        "lat": 200,
        "lon": 525,
        "lat_coarse": 40,
        "lon_coarse": 105,
        "nv": 2,
    }
    for name, step in (("lat", 0.02), ("lon", 0.02), ("lat_coarse", 0.1)):
        values = ds[name].to_numpy()
        np.testing.assert_allclose(np.diff(values), step, rtol=1e-9)
    assert ds["lat"][0] == pytest.approx(22.01) and ds["lon"][-1] == pytest.approx(
        67.99
    )
    assert ds.attrs["Conventions"] == "CF-1.8"
    assert "coastwatch" in ds.attrs["history"] and "coastwatch" in ds.attrs["source"]
    assert ds["lat"].attrs["standard_name"] == "latitude"
    assert ds["lon"].attrs["units"] == "degrees_east"
    assert ds["time"].attrs["bounds"] == "time_bnds"
    assert ds["crs"].attrs["grid_mapping_name"] == "latitude_longitude"
    assert ds["crs"].attrs["semi_major_axis"] == 6378137.0
    for name in (*FINE_VARS, "gap_count"):
        attrs = ds[name].attrs
        assert attrs["grid_mapping"] == "crs"
        assert attrs["units"] in ("h", "1") and attrs["long_name"]
    assert ds["gap_count"].dims == ("time", "lat_coarse", "lon_coarse")
    bounds = ds["time_bnds"].to_numpy()[0]
    assert bounds[1] - bounds[0] == np.timedelta64(1, "D")


def test_box_grows_for_data_elsewhere(ais_real):
    boston = read_tracks(ais_real / "gpkg" / "us_boston_20140101-07_4vessels.gpkg")
    ds = risk_grid(boston, None)
    attrs = ds.attrs
    assert (attrs["geospatial_lat_min"], attrs["geospatial_lat_max"]) == (42.2, 42.5)
    assert (attrs["geospatial_lon_min"], attrs["geospatial_lon_max"]) == (-71.1, -70.8)
    assert ds.sizes["time"] == boston["timestamp"].dt.floor("D").nunique()
    expected = _reference_traffic_hours(boston, 3600, (-71.1, -70.8, 42.2, 42.5))
    assert float(ds["traffic_hours"].sum()) == pytest.approx(expected, rel=1e-9)
    assert float(ds["traffic_hours"].sum()) > 1.0
    # Danish data likewise (one short day).
    dk = read_tracks(ais_real / "gpkg" / "dk_gothenburg_20170705_cpa_2vessels.gpkg")
    ds = risk_grid(dk, None)
    assert (
        ds.attrs["geospatial_lon_min"] == 11.8
        and ds.attrs["geospatial_lat_max"] == 57.7
    )
    assert float(ds["traffic_hours"].sum()) == pytest.approx(
        _reference_traffic_hours(dk, 3600, (11.8, 11.9, 57.6, 57.7)), rel=1e-9
    )


def test_box_union_snapping_and_strays():
    day = shared_day()
    events = _events(
        [{"kind": "loitering", "mmsi": 9, "start": "2024-03-01T05:00",
          "lat": 26.43, "lon": 56.93, "risk": 0.5}]
    )  # fmt: skip
    ds = risk_grid(day.tracks, events)
    a = ds.attrs
    assert (a["geospatial_lat_min"], a["geospatial_lat_max"]) == (22.0, 26.5)
    assert (a["geospatial_lon_min"], a["geospatial_lon_max"]) == (56.9, 68.0)
    assert float(ds["risk"].sum()) == pytest.approx(0.5)
    # A stray fix at 0 N 0 E does not grow the box; it is left out.
    stray = pd.concat(
        [day.tracks, day.tracks.iloc[[0, 1]].assign(lat=0.0, lon=0.0)],
        ignore_index=True,
    )
    ds = risk_grid(stray, None)
    assert ds.attrs["geospatial_lat_min"] == 22.0
    assert ds.attrs["geospatial_lon_min"] == 57.5
    # Without growth, data outside the box is simply left out.
    ds = risk_grid(None, events, _config(grow_box=False))
    assert ds.attrs["geospatial_lat_max"] == 26.0 and float(ds["risk"].sum()) == 0.0


def test_grid_errors():
    with pytest.raises(ConfigError, match=r"105000 cells .* exceed grid.max_cells"):
        risk_grid(None, shared_day().events, _config(max_cells=100_000))
    with pytest.raises(ConfigError, match=r"whole multiple of grid\.resolution_deg"):
        grid_spec(GridConfig(resolution_deg=0.03, gap_resolution_deg=0.1))
    with pytest.raises(ConfigError, match="must be positive"):
        grid_spec(GridConfig(resolution_deg=0.0))
    with pytest.raises(ConfigError, match="lon_min < lon_max"):
        grid_spec(GridConfig(lon_min=70.0))
    with pytest.raises(ConfigError, match="normalise_hours"):
        grid_spec(GridConfig(normalise_hours=0.0))
    with pytest.raises(ConfigError, match="day boundary must be one of"):
        risk_grid(None, None, _config(day_boundary="local"))
    with pytest.raises(
        InputError, match=r"track table lacks required column\(s\) \['lat'\]"
    ):
        risk_grid(pd.DataFrame({"mmsi": [1], "timestamp": [0], "lon": [1.0]}), None)
    with pytest.raises(
        InputError, match=r"event table lacks required column\(s\) \['risk'\]"
    ):
        risk_grid(None, shared_day().events.drop(columns="risk"))


def test_us_national_file_needs_a_coarser_grid(ais_real):
    tracks = read_tracks(
        ais_real / "csv" / "noaa_marinecadastre_20220103_first99999rows.csv.gz"
    )
    with pytest.raises(ConfigError, match=r"raise grid\.resolution_deg"):
        risk_grid(tracks, None)
    ds = risk_grid(tracks, None, _config(resolution_deg=0.1, gap_resolution_deg=0.5))
    assert ds.attrs["geospatial_lon_min"] <= -158.0
    assert ds.attrs["geospatial_lat_max"] >= 49.5
    assert float(ds["traffic_hours"].sum()) > 100.0


def test_pkt_noon_keeps_a_night_together():
    events = _events(
        [
            {"kind": "dark_gap", "mmsi": 5, "start": "2024-03-01T20:00",
             "lat": 24.5, "lon": 62.0, "risk": 0.7},
            {"kind": "rendezvous", "mmsi": 5, "other_mmsi": 6,
             "start": "2024-03-02T03:00", "lat": 24.5, "lon": 62.1, "risk": 0.9},
        ]
    )  # fmt: skip
    utc = risk_grid(None, events)
    assert utc.sizes["time"] == 2
    night = risk_grid(None, events, _config(day_boundary="pkt_noon"))
    assert night.sizes["time"] == 1
    assert night["time"].values[0] == np.datetime64("2024-03-01T07:00", "ns")
    assert int(night["dark_gap_events"][0]) == 1
    assert int(night["rendezvous_events"][0]) == 1
    assert night.attrs["day_boundary"] == "pkt_noon"
    # Asking for a day without data gives an empty layer, not an error.
    empty = risk_grid(None, events, days=["2024-03-05"])
    assert float(empty["risk"].sum()) == 0.0


def test_netcdf_round_trip_and_identical_bytes(tmp_path):
    day = shared_day()
    ds = risk_grid(day.tracks, day.events)
    first = write_netcdf(ds, tmp_path / "a" / "risk.nc")
    time.sleep(1.1)  # a stored clock time would now differ
    second = write_netcdf(risk_grid(day.tracks, day.events), tmp_path / "b" / "risk.nc")
    assert first.read_bytes() == second.read_bytes()
    assert not list(tmp_path.rglob("*.part"))
    with h5py.File(first, "r") as handle:
        tracked = []
        handle.visititems(
            lambda name, obj: (
                tracked.append(name)
                if isinstance(obj, h5py.Dataset)
                and obj.id.get_create_plist().get_obj_track_times()
                else None
            )
        )
        assert tracked == []
    back = xr.open_dataset(first, engine="h5netcdf")
    try:
        assert back.attrs["Conventions"] == "CF-1.8"
        np.testing.assert_array_equal(back["time"].values, ds["time"].values)
        np.testing.assert_array_equal(back["time_bnds"].values, ds["time_bnds"].values)
        for name in (*FINE_VARS, "gap_count"):
            assert back[name].dtype == np.float32
            np.testing.assert_allclose(back[name].values, ds[name].values, rtol=1e-6)
            assert back[name].attrs["units"] == ds[name].attrs["units"]
            assert back[name].encoding["zlib"] or back[name].encoding.get("compression")
        assert back["crs"].attrs["grid_mapping_name"] == "latitude_longitude"
        assert int(back["dark_gap_events"][0]) == int(ds["dark_gap_events"][0])
    finally:
        back.close()


def test_png_products_are_deterministic_with_expected_size(tmp_path):
    day = shared_day()
    ds = risk_grid(day.tracks, day.events)
    targets = pd.DataFrame(
        {"rank": [1], "min_lat": [24.6], "max_lat": [24.7], "min_lon": [61.9],
         "max_lon": [62.05]}
    )  # fmt: skip
    one = render_heatmap(ds, "2024-03-01", targets, tmp_path / "h1.png").read_bytes()
    two = render_heatmap(ds, "2024-03-01", targets, tmp_path / "h2.png").read_bytes()
    assert one == two
    image = Image.open(io.BytesIO(one))
    # 10.4 in of map + margins at 120 dpi; the height follows the box's aspect.
    assert image.size == (1512, 730)
    assert "Software" not in image.info
    colours = np.asarray(image.convert("RGB")).reshape(-1, 3)
    assert len(np.unique(colours, axis=0)) > 200  # a map, not a blank page
    other = render_heatmap(ds, "2024-03-01", None, tmp_path / "h3.png").read_bytes()
    assert other != one
    damped = render_heatmap(
        ds, "2024-03-01", targets, tmp_path / "h4.png", variable="risk_normalised"
    )
    assert damped.read_bytes() != one
    layers = render_layers(ds, "2024-03-01", tmp_path / "l1.png").read_bytes()
    assert layers == render_layers(ds, "2024-03-01", tmp_path / "l2.png").read_bytes()
    assert Image.open(io.BytesIO(layers)).size == (1468, 724)
    with pytest.raises(InputError, match="has no day 2024-03-09"):
        render_heatmap(ds, "2024-03-09", None, tmp_path / "x.png")
    with pytest.raises(InputError, match="variable must be"):
        render_heatmap(ds, "2024-03-01", None, tmp_path / "x.png", variable="gaps")


def test_renders_far_from_the_shipped_coast(tmp_path, ais_real):
    dk = read_tracks(ais_real / "gpkg" / "dk_gothenburg_20170705_cpa_2vessels.gpkg")
    ds = risk_grid(dk, None)
    path = render_heatmap(ds, "2017-07-05", None, tmp_path / "dk.png")
    assert Image.open(path).size[0] > 500
    assert render_layers(ds, "2017-07-05", tmp_path / "dkl.png").stat().st_size > 10_000
