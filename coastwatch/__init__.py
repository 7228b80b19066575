"""coastwatch: smuggling-risk intelligence from AIS tracks on the Makran coast.

The data flow, each stage a plain function::

    read_tracks -> segment -> detect -> score -> grid/render/tasking

See the README for the track-table and event-table contracts.
"""

from . import days, geo
from ._version import __version__
from .accounting import FileReport, Quarantine, ReadReport
from .config import Config, SegmentConfig, TaskingConfig, load_config
from .daily import DayData, split_days, write_day_products
from .detection import (
    detect,
    find_dark_gaps,
    find_dark_rendezvous,
    find_drift,
    find_loitering,
    find_rendezvous,
)
from .errors import CoastwatchError, ConfigError, InputError
from .evaluate import evaluate, match_events
from .events import EVENT_KINDS, empty_events, finalise_events, write_events
from .heatmaps import render_heatmap, render_layers, risk_grid, write_netcdf
from .movingpandas_interop import from_trajectory_collection, to_trajectory_collection
from .pipeline import run_daily, run_detect
from .readers import detect_format, ingest, read_tracks, write_tracks
from .report import render_report
from .risk import chain_incidents, score_events
from .schema import TRACK_DTYPES, conform_tracks, empty_tracks, mmsi_is_valid
from .segmentation import SEGMENT_ID_BASE, SUMMARY_COLUMNS, segment
from .simulate import AisModel, Scenario, simulate, write_scenario
from .tasking import TASKING_COLUMNS, tasking_list, write_tasking

__all__ = [
    "EVENT_KINDS",
    "SEGMENT_ID_BASE",
    "SUMMARY_COLUMNS",
    "TASKING_COLUMNS",
    "TRACK_DTYPES",
    "AisModel",
    "CoastwatchError",
    "Config",
    "ConfigError",
    "DayData",
    "FileReport",
    "InputError",
    "Quarantine",
    "ReadReport",
    "Scenario",
    "SegmentConfig",
    "TaskingConfig",
    "__version__",
    "chain_incidents",
    "conform_tracks",
    "days",
    "detect",
    "detect_format",
    "empty_events",
    "empty_tracks",
    "evaluate",
    "finalise_events",
    "find_dark_gaps",
    "find_dark_rendezvous",
    "find_drift",
    "find_loitering",
    "find_rendezvous",
    "from_trajectory_collection",
    "geo",
    "ingest",
    "load_config",
    "match_events",
    "mmsi_is_valid",
    "read_tracks",
    "render_heatmap",
    "render_layers",
    "render_report",
    "risk_grid",
    "run_daily",
    "run_detect",
    "score_events",
    "segment",
    "simulate",
    "split_days",
    "tasking_list",
    "to_trajectory_collection",
    "write_day_products",
    "write_events",
    "write_netcdf",
    "write_scenario",
    "write_tasking",
    "write_tracks",
]
