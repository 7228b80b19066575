"""Numba kernels on plain numpy arrays, callable from any tool.

This package imports only numpy, numba and math. Kernels take flat arrays
sorted by (vessel, time) plus an ``offsets`` array (``n_groups + 1`` entries;
group ``k`` occupies rows ``offsets[k]:offsets[k + 1]``) and return arrays.
Times are int64 (seconds or nanoseconds since 1970-01-01 UTC, as each kernel
states), positions float64 degrees, speeds knots, distances metres.
"""

from ._geo import destination, haversine_m, initial_bearing_deg
from .coverage import (
    coverage_slots,
    distance_to_uncovered_km,
    path_covered_seconds,
    reception_rates,
)
from .dark_gaps import dark_gaps, reception_context
from .dark_rendezvous import (
    DARK_PAIR_FIELDS,
    DARK_SEEN_FIELDS,
    dark_rendezvous_pairs,
    dark_seen_pairs,
    fix_speeds_kn,
)
from .drift import course_heading_difference_deg, drift_runs
from .gridding import cell_index, grid_dwell_hours, grid_lines, grid_points
from .loitering import loitering_runs, stop_segments
from .proximity import polyline_proximity, segment_intersects, segments_cross_polyline
from .raster import bilinear_at, sample_bilinear
from .rendezvous import RENDEZVOUS_FIELDS, rendezvous_groups, rendezvous_pairs
from .sea_route import grid_path
from .segment import (
    group_offsets,
    segment_summary,
    segment_tracks,
    sort_by_vessel_time,
    vessel_time_order,
)

__all__ = [
    "DARK_PAIR_FIELDS",
    "DARK_SEEN_FIELDS",
    "RENDEZVOUS_FIELDS",
    "bilinear_at",
    "cell_index",
    "course_heading_difference_deg",
    "coverage_slots",
    "dark_gaps",
    "dark_rendezvous_pairs",
    "dark_seen_pairs",
    "destination",
    "distance_to_uncovered_km",
    "drift_runs",
    "fix_speeds_kn",
    "grid_dwell_hours",
    "grid_lines",
    "grid_path",
    "grid_points",
    "group_offsets",
    "haversine_m",
    "initial_bearing_deg",
    "loitering_runs",
    "path_covered_seconds",
    "polyline_proximity",
    "reception_context",
    "reception_rates",
    "rendezvous_groups",
    "rendezvous_pairs",
    "sample_bilinear",
    "segment_intersects",
    "segment_summary",
    "segment_tracks",
    "segments_cross_polyline",
    "sort_by_vessel_time",
    "stop_segments",
    "vessel_time_order",
]
