"""Track tables built from the real AIS files in ``shared/ais_real``.

Each function returns a canonical track table (``coastwatch.schema``), unsorted
as in the file, with the source's extra columns kept where tests need them.
They stand in for ``coastwatch.read_tracks`` and can later call it instead.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np
import pandas as pd

from coastwatch.schema import conform_tracks

# Same location rule as tests/conftest.py, so scripts can import this module.
_REPO = Path(__file__).resolve().parents[1]
_SHARED = Path(os.environ.get("COASTWATCH_SHARED", _REPO.parent / "shared"))
AIS_REAL = _SHARED / "ais_real"

GFW_REGRESSION = AIS_REAL / "labelled" / "gfw_segmenter_regression_20210101-09.csv.gz"
MARINECADASTRE = AIS_REAL / "csv" / "noaa_marinecadastre_20220103_first99999rows.csv.gz"
BOSTON_GPKG = AIS_REAL / "gpkg" / "us_boston_20140101-07_4vessels.gpkg"
GOTHENBURG_GPKG = AIS_REAL / "gpkg" / "dk_gothenburg_20170705_cpa_2vessels.gpkg"

# AIS message types that carry a position report.
_GFW_POSITION_TYPES = ("AIS.1", "AIS.2", "AIS.3", "AIS.18", "AIS.19", "AIS.27")


def _valid_position(lat: pd.Series, lon: pd.Series) -> pd.Series:
    return lat.between(-90, 90) & lon.between(-180, 180)


@functools.cache
def gfw_regression() -> pd.DataFrame:
    """Global Fishing Watch's segmenter regression cases, position reports only.

    Non-position messages (AIS.5, AIS.24), positions at the 91/181 'not
    available' codes and repeated message ids (the same message relayed twice)
    are left out, as a reader would. Extra columns: ``case``, ``row_index``,
    ``msgid``, ``type``, ``receiver_type`` and ``expected_seg_id`` (GFW's
    segment for the message; missing where GFW discarded it).
    """
    raw = pd.read_csv(GFW_REGRESSION)
    keep = raw["type"].isin(_GFW_POSITION_TYPES) & _valid_position(
        raw["lat"], raw["lon"]
    )
    raw = raw[keep].drop_duplicates("msgid", keep="first")
    frame = pd.DataFrame(
        {
            "mmsi": raw["ssvid"],
            "timestamp": pd.to_datetime(raw["timestamp"], utc=True),
            "lat": raw["lat"],
            "lon": raw["lon"],
            "sog": raw["speed"],
            "cog": raw["course"],
            "heading": raw["heading"],
            "case": raw["case"],
            "row_index": raw["row_index"],
            "msgid": raw["msgid"],
            "type": raw["type"],
            "receiver_type": raw["receiver_type"],
            "expected_seg_id": raw["expected_seg_id"],
        }
    )
    return conform_tracks(frame.reset_index(drop=True))


@functools.cache
def marinecadastre() -> pd.DataFrame:
    """NOAA MarineCadastre, first 99,999 rows of 2022-01-03 (US coasts)."""
    raw = pd.read_csv(MARINECADASTRE)
    raw = raw[_valid_position(raw["LAT"], raw["LON"])]
    frame = pd.DataFrame(
        {
            "mmsi": raw["MMSI"],
            "timestamp": pd.to_datetime(raw["BaseDateTime"], utc=True),
            "lat": raw["LAT"],
            "lon": raw["LON"],
            "sog": raw["SOG"],
            "cog": raw["COG"],
            "heading": raw["Heading"],
            "nav_status": raw["Status"].fillna(15),
            "name": raw["VesselName"],
            "ship_type": raw["VesselType"].fillna(0),
            "length": raw["Length"],
            "transceiver_class": raw["TransceiverClass"],
        }
    )
    return conform_tracks(frame.reset_index(drop=True))


def _read_gpkg(path: Path, layer: str) -> pd.DataFrame:
    import geopandas as gpd

    return gpd.read_file(path, layer=layer)


@functools.cache
def boston_gpkg() -> pd.DataFrame:
    """Four vessels in Boston Harbor over a week (MarineCadastre 2014)."""
    raw = _read_gpkg(BOSTON_GPKG, "demodata_ais")
    frame = pd.DataFrame(
        {
            "mmsi": raw["mmsi"].astype(np.int64),
            "timestamp": pd.to_datetime(raw["basedatetime"], utc=True),
            "lat": raw.geometry.y,
            "lon": raw.geometry.x,
            "sog": raw["sog"],
            "cog": raw["cog"],
            "heading": raw["heading"],
            "nav_status": raw["status"],
        }
    )
    return conform_tracks(frame.reset_index(drop=True))


@functools.cache
def gothenburg_gpkg() -> pd.DataFrame:
    """Two ships approaching Gothenburg, 14 minutes at 5 s (DMA 2017)."""
    raw = _read_gpkg(GOTHENBURG_GPKG, "ais_dk_cpa")
    frame = pd.DataFrame(
        {
            "mmsi": raw["MMSI"].astype(np.int64),
            "timestamp": pd.to_datetime(raw["t"]).dt.tz_localize("UTC"),
            "lat": raw.geometry.y,
            "lon": raw.geometry.x,
            "sog": raw["SOG"],
            "cog": raw["COG"],
            "name": raw["Name"],
        }
    )
    return conform_tracks(frame.reset_index(drop=True))


REAL_TABLES = {
    "gfw_regression": gfw_regression,
    "marinecadastre": marinecadastre,
    "boston_gpkg": boston_gpkg,
    "gothenburg_gpkg": gothenburg_gpkg,
}
"""Every real table by name, for parametrised tests."""
