"""coastwatch: smuggling-risk intelligence from AIS tracks on the Makran coast.

The data flow, each stage a plain function::

    read_tracks -> segment -> detect -> score -> grid/render/tasking

See the README for the track-table and event-table contracts.
"""

from . import geo
from ._version import __version__
from .accounting import FileReport, Quarantine, ReadReport
from .config import Config, load_config
from .errors import CoastwatchError, ConfigError, InputError
from .readers import detect_format, ingest, read_tracks, write_tracks
from .schema import TRACK_DTYPES, conform_tracks, empty_tracks, mmsi_is_valid

__all__ = [
    "TRACK_DTYPES",
    "CoastwatchError",
    "Config",
    "ConfigError",
    "FileReport",
    "InputError",
    "Quarantine",
    "ReadReport",
    "__version__",
    "conform_tracks",
    "detect_format",
    "empty_tracks",
    "geo",
    "ingest",
    "load_config",
    "mmsi_is_valid",
    "read_tracks",
    "write_tracks",
]
