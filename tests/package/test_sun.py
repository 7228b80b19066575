import numpy as np
import pandas as pd
import pytest

from coastwatch.sun import is_night, solar_elevation_deg


def _elevation(when, lat, lon):
    t = np.array([pd.Timestamp(when).value])
    return float(solar_elevation_deg(t, np.array([lat]), np.array([lon]))[0])


@pytest.mark.parametrize(
    ("when", "lat", "lon", "expected", "tol"),
    [
        # Equinox, local solar noon on the equator: sun nearly overhead.
        ("2024-03-20T12:07:00Z", 0.0, 0.0, 89.7, 0.4),
        # Karachi, June solstice: noon sun 1.4 deg from the zenith (lat - 23.44).
        ("2024-06-21T07:31:00Z", 24.86, 67.0, 88.6, 0.4),
        # Karachi sunset on 1 January is 17:53 PKT (12:53 UTC): geometric
        # elevation about -0.8 deg once refraction is taken out.
        ("2024-01-01T12:53:00Z", 24.86, 67.0, -0.8, 0.5),
        # Local midnight at Gwadar in December: far below the horizon.
        ("2024-12-21T19:49:00Z", 25.12, 62.32, -88.3, 1.5),
    ],
)
def test_known_sun_positions(when, lat, lon, expected, tol):
    assert _elevation(when, lat, lon) == pytest.approx(expected, abs=tol)


def test_is_night_uses_civil_twilight_not_the_clock():
    times = (
        pd.to_datetime(
            ["2024-01-01T13:10:00Z", "2024-01-01T13:40:00Z", "2024-06-21T13:40:00Z"]
        )
        .as_unit("ns")
        .asi8
    )
    lat = np.full(3, 24.86)
    lon = np.full(3, 67.0)
    # 18:10 PKT in January is still twilight, 18:40 PKT is night; in June
    # 18:40 PKT the sun is still up.
    assert is_night(times, lat, lon).tolist() == [False, True, False]
    assert np.isnan(solar_elevation_deg(times[:1], [np.nan], [67.0])[0])
