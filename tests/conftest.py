"""Shared test setup: Hypothesis profile, the shared data folder, markers."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# `import reference` / `import builders` from any test file.
sys.path.insert(0, str(Path(__file__).parent))

settings.register_profile(
    "coastwatch",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
settings.load_profile("coastwatch")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("COASTWATCH_SHARED", REPO.parent / "shared"))
AIS_REAL = SHARED / "ais_real"
SAMPLES = REPO / "data" / "ais_samples"


def pytest_addoption(parser):
    parser.addoption(
        "--run-slow", action="store_true", default=False, help="run slow tests"
    )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow"):
        return
    skip_slow = pytest.mark.skip(reason="slow: use --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)


@pytest.fixture(scope="session")
def ais_real() -> Path:
    """The folder of real public AIS files beside the checkout."""
    if not AIS_REAL.is_dir():
        pytest.fail(f"real AIS data not found at {AIS_REAL} (set COASTWATCH_SHARED)")
    return AIS_REAL


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only shared folder beside the checkout."""
    return SHARED
