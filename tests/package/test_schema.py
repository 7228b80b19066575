import numpy as np
import pandas as pd
import pytest

from coastwatch.config import load_config
from coastwatch.errors import ConfigError, InputError
from coastwatch.schema import (
    TRACK_DTYPES,
    conform_tracks,
    empty_tracks,
    mmsi_is_valid,
    sort_tracks,
    validate_tracks,
)


@pytest.mark.parametrize(
    ("mmsi", "valid"),
    [
        (463012345, True),  # Pakistan
        (422123456, True),  # Iran
        (366053209, True),  # USA
        (538004030, True),  # Marshall Islands (real ship FRIO)
        (984631234, True),  # craft associated with a Pakistani ship
        (12345678, False),  # eight digits
        (1234567890, False),  # ten digits
        (200000010, False),  # MID 200 unassigned
        (600000019, False),  # MID 600 unassigned
        (574574574, False),  # repeated block placeholder
        (666666601, False),  # run of equal digits
        (412000000, False),  # MID + zeros placeholder
        (123456789, False),
        (2655, False),
        (2190047, False),  # base-station style short number
        (0, False),
        (-5, False),
        (111463123, False),  # SAR aircraft, not a ship
        (970123456, False),  # AIS-SART
    ],
)
def test_mmsi_is_valid(mmsi, valid):
    assert mmsi_is_valid(np.array([mmsi]))[0] == valid


def test_conform_tracks_codes_and_dtypes():
    raw = pd.DataFrame(
        {
            "mmsi": [463012345, 200000010],
            "timestamp": ["2024-01-01T00:00:00Z", "2024-01-01T00:01:00Z"],
            "lat": [25.0, 25.1],
            "lon": [62.0, 62.1],
            "sog": [102.3, 5.0],
            "cog": [360.0, 90.0],
            "heading": [511, 90],
        }
    )
    out = conform_tracks(raw)
    assert list(out.columns) == list(TRACK_DTYPES)
    assert np.isnan(out.sog[0]) and out.sog[1] == 5.0
    assert np.isnan(out.cog[0]) and np.isnan(out.heading[0])
    assert out.mmsi_valid.tolist() == [True, False]
    assert out.nav_status.tolist() == [15, 15]
    assert str(out.timestamp.dtype) == "datetime64[ns, UTC]"
    validate_tracks(sort_tracks(out))


def test_validate_tracks_rejects_unsorted_and_missing():
    frame = conform_tracks(
        pd.DataFrame(
            {
                "mmsi": [1, 1],
                "timestamp": pd.to_datetime(["2024-01-02", "2024-01-01"], utc=True),
                "lat": [0.0, 0.0],
                "lon": [0.0, 0.0],
            }
        )
    )
    with pytest.raises(InputError, match=r"<table>:1: track table is not sorted"):
        validate_tracks(frame)
    with pytest.raises(InputError, match="lacks required column"):
        conform_tracks(frame.drop(columns="lat"))
    validate_tracks(empty_tracks())


def test_config_profiles_and_errors(tmp_path):
    assert load_config().loitering.max_speed_kn == 2.0
    gfw = load_config(profile="gfw")
    assert gfw.rendezvous.min_duration_h == 2.0 and gfw.gaps.min_gap_h == 6.0
    path = tmp_path / "c.toml"
    path.write_text('profile = "gfw"\n[loitering]\nmax_speed_kn = 1\n')
    cfg = load_config(path)
    assert cfg.profile == "gfw" and cfg.loitering.max_speed_kn == 1.0
    path.write_text("[loitering]\nspeed = 1\n")
    with pytest.raises(ConfigError, match=r"unknown setting loitering\.speed"):
        load_config(path)
    path.write_text("[nope]\n")
    with pytest.raises(ConfigError, match=r"unknown section \[nope\]"):
        load_config(path)
    path.write_text("[loitering]\nmax_speed_kn = 'fast'\n")
    with pytest.raises(ConfigError, match="must be a number"):
        load_config(path)
    with pytest.raises(ConfigError, match="unknown profile"):
        load_config(profile="x")
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "missing.toml")
