"""Row accounting for readers: the read report and the quarantine file.

Every input row a reader sees is either accepted into the track table or
counted under exactly one reason, so ``read == accepted + rejected`` holds per
file and overall. A row is one CSV data row, one Parquet/GeoPackage feature,
or one line of an NMEA file (sentence, time line, tag line or blank line).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections import Counter
from dataclasses import dataclass, field

from .errors import CoastwatchError

__all__ = ["REJECT_REASONS", "FileReport", "Quarantine", "ReadReport"]

# reason -> (category, description). Categories: 'error' (bad data),
# 'skipped' (valid input that is not a vessel position report), 'duplicate'.
REJECT_REASONS: dict[str, tuple[str, str]] = {
    "bad_checksum": ("error", "NMEA checksum does not match"),
    "unparsable": ("error", "row or sentence cannot be parsed"),
    "incomplete_multipart": ("error", "multi-sentence message with parts missing"),
    "mmsi_missing": ("error", "MMSI missing"),
    "mmsi_zero": ("error", "MMSI is zero"),
    "mmsi_not_a_number": ("error", "MMSI is not a number"),
    "position_not_available": ("error", "position 'not available' (lat 91 / lon 181)"),
    "position_out_of_range": ("error", "latitude or longitude out of range"),
    "time_missing": ("error", "time missing"),
    "time_unparsable": ("error", "time cannot be parsed"),
    "not_position_report": ("skipped", "AIS message type that carries no position"),
    "not_a_vessel": ("skipped", "base station, aid to navigation or other non-vessel"),
    "metadata_line": ("skipped", "time, source-tag or comment line (no report)"),
    "multipart_continuation": (
        "skipped",
        "second and later sentences of an accepted multi-sentence message",
    ),
    "blank_line": ("skipped", "empty line"),
    "duplicate": ("duplicate", "exact duplicate (same MMSI, time and position)"),
    "duplicate_relay": (
        "duplicate",
        "same transmission relayed by another receiver or source",
    ),
}


@dataclass
class FileReport:
    """Counts for one input file.

    Attributes
    ----------
    path : str
        The file as given by the user.
    format : str
        The detected format name.
    read : int
        Rows read (see module docstring for what a row is).
    accepted : int
        Rows that became track-table rows.
    rejected : collections.Counter
        Rows not used, by reason (keys of :data:`REJECT_REASONS`).
    """

    path: str
    format: str = ""
    read: int = 0
    accepted: int = 0
    rejected: Counter = field(default_factory=Counter)

    def reject(self, reason: str, count: int = 1) -> None:
        """Count ``count`` rows as rejected for ``reason``."""
        if reason not in REJECT_REASONS:
            raise ValueError(f"unknown reject reason {reason!r}")
        if count:
            self.rejected[reason] += int(count)

    @property
    def rejected_total(self) -> int:
        """Number of rows rejected for any reason."""
        return sum(self.rejected.values())

    def to_dict(self) -> dict:
        """Return the counts as plain JSON-ready types."""
        return {
            "path": self.path,
            "format": self.format,
            "read": self.read,
            "accepted": self.accepted,
            "rejected": self.rejected_total,
            "rejected_by_reason": dict(sorted(self.rejected.items())),
        }


@dataclass
class ReadReport:
    """Counts for one read of one or more files.

    Attributes
    ----------
    files : list of FileReport
        One entry per input file, in reading order.
    """

    files: list[FileReport] = field(default_factory=list)

    def add_file(self, path: str | os.PathLike, fmt: str = "") -> FileReport:
        """Start counting a new file and return its :class:`FileReport`."""
        entry = FileReport(path=os.fspath(path), format=fmt)
        self.files.append(entry)
        return entry

    @property
    def read(self) -> int:
        """Rows read over all files."""
        return sum(f.read for f in self.files)

    @property
    def accepted(self) -> int:
        """Rows accepted over all files."""
        return sum(f.accepted for f in self.files)

    @property
    def rejected_by_reason(self) -> Counter:
        """Rows rejected over all files, by reason."""
        total: Counter = Counter()
        for f in self.files:
            total.update(f.rejected)
        return total

    @property
    def rejected(self) -> int:
        """Rows rejected over all files."""
        return sum(self.rejected_by_reason.values())

    def by_category(self) -> dict[str, int]:
        """Rejected rows summed per category ('error', 'skipped', 'duplicate')."""
        out = {"error": 0, "skipped": 0, "duplicate": 0}
        for reason, n in self.rejected_by_reason.items():
            out[REJECT_REASONS[reason][0]] += n
        return out

    def check(self) -> None:
        """Raise if any file's counts do not balance (a bug, never bad input)."""
        for f in self.files:
            if f.read != f.accepted + f.rejected_total:
                raise CoastwatchError(
                    f"{f.path}: read {f.read} != accepted {f.accepted} + "
                    f"rejected {f.rejected_total} (internal accounting error)"
                )

    def to_dict(self) -> dict:
        """Return the report as plain JSON-ready types."""
        return {
            "read": self.read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "rejected_by_category": self.by_category(),
            "rejected_by_reason": dict(sorted(self.rejected_by_reason.items())),
            "reasons": {k: v[1] for k, v in REJECT_REASONS.items()},
            "files": [f.to_dict() for f in self.files],
        }

    def to_json(self) -> str:
        """Return the report as indented JSON text (stable key order)."""
        return json.dumps(self.to_dict(), indent=2) + "\n"


class Quarantine:
    """Collects rejected raw rows with their reason, for later inspection.

    Rows are kept in memory up to ``limit`` (default unlimited) and written as
    CSV with columns ``file, line, reason, raw``. ``line`` is the 1-based line
    number in the (decompressed) file, or empty where the format has no lines.

    Parameters
    ----------
    limit : int, optional
        Keep at most this many rows; later ones are counted but not stored.
    """

    def __init__(self, limit: int | None = None):
        self.limit = limit
        self.rows: list[tuple[str, object, str, str]] = []
        self.dropped = 0

    def add(self, path: str, line: int | None, reason: str, raw: str) -> None:
        """Keep one rejected row."""
        if self.limit is not None and len(self.rows) >= self.limit:
            self.dropped += 1
            return
        self.rows.append((path, "" if line is None else line, reason, raw))

    def extend(self, rows) -> None:
        """Keep many rejected rows given as (path, line, reason, raw) tuples."""
        for row in rows:
            self.add(*row)

    def to_csv_text(self) -> str:
        """Return the kept rows as CSV text with a header line."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["file", "line", "reason", "raw"])
        writer.writerows(self.rows)
        return buffer.getvalue()
