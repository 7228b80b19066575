"""Track files in, canonical track table out, every input row accounted for.

Supported formats, detected from the content (not only the name), each also
inside ``.gz`` or ``.zip``:

``marinecadastre``
    NOAA MarineCadastre CSV (``MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,...``;
    older lower-case headers too).
``dma``
    Danish Maritime Authority CSV (``# Timestamp,Type of mobile,MMSI,...``,
    day-first dates). Rows whose 'Type of mobile' is not Class A / Class B
    are dropped as ``not_a_vessel``.
``nmea``
    Raw NMEA 0183 ``!AIVDM`` / ``!AIVDO`` / ``!BSVDM`` (see :mod:`coastwatch.nmea`).
``gpkg``
    GeoPackage with point geometry and a time column.
``parquet``
    Parquet in the canonical schema (the fast path).
``csv``
    Any other CSV, with a column mapping (``columns={"canonical": "theirs"}``)
    or recognisable column names (``mmsi``/``ssvid``, ``timestamp``/``time``,
    ``lat``/``latitude``, ``lon``/``longitude``, ...).

Reading is chunked; :func:`read_tracks` gathers the chunks in memory, while
:func:`ingest` streams them to a Parquet file through sorted runs on disk, so
its memory is bounded by the chunk size and the number of vessels, not by the
input size.
"""

from __future__ import annotations

import csv
import gzip
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ._io import atomic_path
from .accounting import FileReport, Quarantine, ReadReport
from .errors import InputError
from .schema import (
    COG_NOT_AVAILABLE,
    LAT_NOT_AVAILABLE,
    LON_NOT_AVAILABLE,
    SENTINEL_TOLERANCE,
    SOG_NOT_AVAILABLE,
    STATIC_COLUMNS,
    TRACK_DTYPES,
    conform_tracks,
    empty_tracks,
    timestamps_ns,
)

__all__ = [
    "FORMATS",
    "detect_format",
    "ingest",
    "iter_track_chunks",
    "read_tracks",
    "write_tracks",
]

FORMATS = ("auto", "marinecadastre", "dma", "nmea", "gpkg", "parquet", "csv")

_CSV_BLOCK_BYTES = 32 << 20
_IN_MEMORY_BYTES = 512 << 20  # files parsed in one go, by all cores
_CHUNK_ROWS = 2_000_000
_NAT = np.iinfo(np.int64).min
# In folders, documentation, images and outputs are passed over (a file
# named explicitly is always read).
_NOT_TRACK_FILES = frozenset(
    (
        ".md .rst .json .geojson .html .htm .pdf .png .jpg .jpeg .svg .py "
        ".toml .yaml .yml .nc .log"
    ).split()
)
_SNIFF_BYTES = 1 << 16

# Column names recognised in generic CSV / GeoPackage input (lower case).
_ALIASES: dict[str, tuple[str, ...]] = {
    "mmsi": ("mmsi", "ssvid", "userid", "user_id", "mmsi_id"),
    "timestamp": (
        "timestamp",
        "basedatetime",
        "base_date_time",
        "datetime",
        "date_time",
        "time",
        "t",
        "# timestamp",
        "msgtime",
        "ts",
    ),
    "lat": ("lat", "latitude", "y"),
    "lon": ("lon", "long", "longitude", "lng", "x"),
    "sog": ("sog", "speed", "speed_over_ground"),
    "cog": ("cog", "course", "course_over_ground"),
    "heading": ("heading", "true_heading", "hdg"),
    "nav_status": ("nav_status", "navstatus", "status", "navigational status"),
    "name": ("name", "vesselname", "vessel_name", "shipname"),
    "ship_type": ("ship_type", "shiptype", "ship type", "vesseltype", "vessel_type"),
    "length": ("length", "loa"),
    "transceiver_class": ("transceiver_class", "transceiverclass", "class"),
}

_DMA_NAV_STATUS = {
    "under way using engine": 0,
    "at anchor": 1,
    "not under command": 2,
    "restricted maneuverability": 3,
    "restricted manoeuverability": 3,
    "constrained by her draught": 4,
    "moored": 5,
    "aground": 6,
    "engaged in fishing": 7,
    "under way sailing": 8,
    "reserved for future amendment [hsc]": 9,
    "reserved for future amendment [wig]": 10,
    "power-driven vessel towing astern": 11,
    "power-driven vessel pushing ahead or towing alongside": 12,
    "reserved for future use": 13,
    "ais-sart": 14,
    "unknown value": 15,
}

_DMA_SHIP_TYPE = {
    "wig": 20,
    "fishing": 30,
    "towing": 31,
    "towing long/wide": 32,
    "dredging": 33,
    "diving": 34,
    "military": 35,
    "sailing": 36,
    "pleasure": 37,
    "hsc": 40,
    "pilot": 50,
    "sar": 51,
    "tug": 52,
    "port tender": 53,
    "anti-pollution": 54,
    "law enforcement": 55,
    "medical": 58,
    "not party to conflict": 59,
    "passenger": 60,
    "cargo": 70,
    "tanker": 80,
    "other": 90,
}


# --------------------------------------------------------------------------
# Opening files: sources, compression, format detection
# --------------------------------------------------------------------------


@dataclass
class _Input:
    """One logical input: a file, or a member of a zip archive."""

    name: str  # shown in reports and errors
    path: Path  # the file on disk
    member: str | None = None  # zip member name
    gzipped: bool = False

    def open(self) -> BinaryIO:
        if self.member is not None:
            archive = zipfile.ZipFile(self.path)
            return archive.open(self.member)
        if self.gzipped:
            return gzip.open(self.path, "rb")
        return open(self.path, "rb")

    def head(self, size: int = _SNIFF_BYTES) -> bytes:
        try:
            with self.open() as handle:
                return handle.read(size)
        except (OSError, EOFError, zipfile.BadZipFile) as exc:
            raise InputError(self.name, f"cannot read file ({exc})") from exc


def _expand_sources(source) -> list[Path]:
    if isinstance(source, str | os.PathLike):
        sources = [source]
    else:
        sources = list(source)
    if not sources:
        raise InputError(None, "no input files given")
    paths: list[Path] = []
    for item in sources:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and p.suffix.lower() not in _NOT_TRACK_FILES
            )
            if not found:
                raise InputError(path, "folder contains no files")
            paths.extend(found)
        elif path.is_file():
            paths.append(path)
        elif path.exists():
            raise InputError(path, "not a regular file")
        else:
            raise InputError(path, "no such file or folder")
    return paths


def _inputs_of(path: Path) -> list[_Input]:
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise InputError(path, f"cannot open file ({exc.strerror})") from exc
    if magic[:2] == b"\x1f\x8b":
        return [_Input(str(path), path, gzipped=True)]
    if magic == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(path) as archive:
                members = [
                    m.filename
                    for m in archive.infolist()
                    if not m.is_dir() and not Path(m.filename).name.startswith(".")
                ]
        except zipfile.BadZipFile as exc:
            raise InputError(path, f"damaged zip archive ({exc})") from exc
        if not members:
            raise InputError(path, "zip archive contains no files")
        return [_Input(f"{path}:{m}", path, member=m) for m in sorted(members)]
    return [_Input(str(path), path)]


def _normalise(name: str) -> str:
    return name.strip().strip('"').lower()


def detect_format(head: bytes, name: str = "<data>") -> str:
    """Tell the format of a track file from its first bytes (decompressed).

    Parameters
    ----------
    head : bytes
        The first bytes of the file (64 KiB is plenty).
    name : str
        File name, used in the error message only.

    Returns
    -------
    str
        One of ``parquet``, ``gpkg``, ``nmea``, ``dma``, ``marinecadastre``,
        ``csv``.

    Raises
    ------
    InputError
        If the file is empty, binary of an unknown kind, or text that is
        neither NMEA nor a CSV with a header.
    """
    if not head:
        raise InputError(name, "file is empty")
    if head[:4] == b"PAR1":
        return "parquet"
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    sample = head[:4096]
    if b"\x00" in sample or _binary_share(sample) > 0.1:
        raise InputError(name, "binary file of an unknown format")
    text = head.decode("utf-8", errors="replace")
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    if not lines:
        raise InputError(name, "file contains only blank lines")
    if _looks_like_nmea(lines):
        return "nmea"
    header = [_normalise(c) for c in lines[0].lstrip("\ufeff").split(",")]
    if "type of mobile" in header and "mmsi" in header:
        return "dma"
    if {"mmsi", "basedatetime", "lat", "lon"} <= set(header):
        return "marinecadastre"
    if len(header) >= 2 and all(re.fullmatch(r"[\w #./()-]*", c) for c in header):
        return "csv"
    raise InputError(name, "unrecognised format: neither NMEA nor a CSV with a header")


def _binary_share(sample: bytes) -> float:
    if not sample:
        return 0.0
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return control / len(sample)


_NMEA_SENTENCE = re.compile(r"![A-Z]{2}VD[MO],")


def _looks_like_nmea(lines: list[str]) -> bool:
    hits = sum(1 for ln in lines if _NMEA_SENTENCE.search(ln))
    return hits >= max(1, len(lines) // 4)


# --------------------------------------------------------------------------
# Per-format chunk readers. Each yields raw frames with canonical column
# names plus `_line` (1-based line or row number), and counts read rows and
# format-specific rejects in the FileReport. Common validation follows in
# _clean_chunk.
# --------------------------------------------------------------------------


def _csv_header(item: _Input, skip_rows: int = 0) -> list[str]:
    head = item.head()
    lines = head.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()
    if len(lines) <= skip_rows:
        raise InputError(item.name, "CSV file has no header line")
    return next(csv.reader([lines[skip_rows]]))


def _csv_batches(
    item: _Input,
    report: FileReport,
    quarantine: Quarantine | None,
    wanted: list[str] | None = None,
    typed: dict[str, pa.DataType] | None = None,
) -> Iterator[tuple[pa.Table, np.ndarray]]:
    """Yield (table, 1-based line numbers) from a CSV file.

    Files that fit in memory are parsed by all cores at once, first with the
    ``typed`` column types (numbers and times converted while parsing: the
    fast path for clean files). If any value does not convert, or the parse
    finds malformed rows (wrong field count, whose line numbers only a
    sequential parse knows), the file is parsed again with every column as
    text, sequentially: numbers are then converted per column later, so one
    bad value rejects one row, not a whole block. Large files always take
    the text path, streamed.
    """
    names = _csv_header(item)
    if len(set(names)) != len(names):
        raise InputError(item.name, "CSV header repeats a column name", line=1)
    include = None if wanted is None else [n for n in names if n in wanted]

    def convert_options(types):
        return pacsv.ConvertOptions(
            column_types=types,
            # Blank fields (and NA, null, NaN...) arrive as nulls.
            strings_can_be_null=True,
            include_columns=include,
        )

    text_types = {n: pa.string() for n in names}
    invalid: list[tuple[int | None, str]] = []

    def on_invalid(row) -> str:
        invalid.append((row.number, row.text))
        return "skip"

    parse = pacsv.ParseOptions(invalid_row_handler=on_invalid)
    if item.member is None and item.path.stat().st_size < _IN_MEMORY_BYTES:
        table = None
        for types in ({**text_types, **(typed or {})}, text_types):
            with item.open() as handle:
                try:
                    table = pacsv.read_csv(
                        handle,
                        read_options=pacsv.ReadOptions(use_threads=True),
                        parse_options=parse,
                        convert_options=convert_options(types),
                    )
                    break
                except pa.ArrowInvalid as exc:
                    if types is text_types:
                        raise InputError(
                            item.name, f"cannot parse CSV ({exc})"
                        ) from exc
                    invalid.clear()  # a value that does not convert: read as text
        if not invalid:
            lines = np.arange(2, table.num_rows + 2, dtype=np.int64)
            for start in range(0, table.num_rows, _CHUNK_ROWS):
                stop = start + _CHUNK_ROWS
                yield table.slice(start, _CHUNK_ROWS), lines[start:stop]
            return
        invalid.clear()
        del table
    handle = item.open()
    try:
        try:
            reader = pacsv.open_csv(
                handle,
                read_options=pacsv.ReadOptions(
                    use_threads=False, block_size=_CSV_BLOCK_BYTES
                ),
                parse_options=parse,
                convert_options=convert_options(text_types),
            )
        except pa.ArrowInvalid as exc:
            raise InputError(item.name, f"cannot parse CSV ({exc})") from exc
        next_line = 2
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except pa.ArrowInvalid as exc:
                raise InputError(item.name, f"cannot parse CSV ({exc})") from exc
            n_invalid = len(invalid)
            lines = np.arange(next_line, next_line + batch.num_rows + n_invalid)
            if n_invalid:
                bad = np.array([num for num, _ in invalid], dtype=np.int64)
                lines = lines[~np.isin(lines, bad)]
                _reject_invalid(item, report, quarantine, invalid)
            next_line += batch.num_rows + n_invalid
            if batch.num_rows:
                yield pa.Table.from_batches([batch]), lines[: batch.num_rows]
        _reject_invalid(item, report, quarantine, invalid)
    finally:
        handle.close()


def _reject_invalid(item, report, quarantine, invalid) -> None:
    if not invalid:
        return
    report.read += len(invalid)
    report.reject("unparsable", len(invalid))
    if quarantine is not None:
        for num, text in invalid:
            quarantine.add(item.name, num, "unparsable", text)
    invalid.clear()


def _column_map(names: list[str], mapping: dict[str, str] | None) -> dict[str, str]:
    """Map canonical column -> source column, from a user mapping or aliases."""
    lower = {_normalise(n): n for n in names}
    out: dict[str, str] = {}
    if mapping:
        for canonical, theirs in mapping.items():
            if canonical not in _ALIASES:
                raise InputError(None, f"unknown canonical column {canonical!r}")
            if theirs in names:
                out[canonical] = theirs
            elif _normalise(theirs) in lower:
                out[canonical] = lower[_normalise(theirs)]
    for canonical, aliases in _ALIASES.items():
        if canonical in out:
            continue
        for alias in aliases:
            if alias in lower:
                out[canonical] = lower[alias]
                break
    return out


# Types tried while parsing (the fast path); text where a value does not fit.
_FAST_TYPES = {
    "mmsi": pa.int64(),
    "timestamp": pa.timestamp("ns"),
    "lat": pa.float64(),
    "lon": pa.float64(),
    "sog": pa.float64(),
    "cog": pa.float64(),
    "heading": pa.float64(),
    "length": pa.float64(),
}

_DMA_MOBILE = "Type of mobile"
_KIND_NAMES = {"marinecadastre": "MarineCadastre CSV", "dma": "DMA CSV", "csv": "CSV"}


def _require(item: _Input, mapping: dict[str, str], kind: str) -> None:
    missing = [c for c in ("mmsi", "timestamp", "lat", "lon") if c not in mapping]
    if missing:
        raise InputError(
            item.name,
            f"{kind} lacks required column(s) {', '.join(missing)} "
            "(give a column mapping for other names)",
            line=1,
        )


def _read_csv_like(
    item: _Input,
    report: FileReport,
    quarantine: Quarantine | None,
    kind: str,
    mapping: dict[str, str] | None = None,
) -> Iterator[pd.DataFrame]:
    names = _csv_header(item)
    columns = _column_map(names, mapping)
    if kind == "dma":
        columns.pop("transceiver_class", None)
    _require(item, columns, _KIND_NAMES[kind])
    wanted = list(columns.values())
    if kind == "dma":
        wanted.append(_DMA_MOBILE)
    # With a quarantine the raw text of rejected rows is kept: read as text.
    typed = (
        {
            source: _FAST_TYPES[canonical]
            for canonical, source in columns.items()
            if canonical in _FAST_TYPES
            and not (kind == "dma" and canonical == "timestamp")
        }
        if quarantine is None
        else None
    )
    for table, lines in _csv_batches(
        item, report, quarantine, None if quarantine is not None else wanted, typed
    ):
        raw = {c: table.column(s) for c, s in columns.items()}
        frame = pd.DataFrame({"_line": lines})
        frame["_mmsi_blank"] = _is_blank(raw["mmsi"])
        frame["mmsi"] = _to_int(raw["mmsi"])
        day_first = "%d/%m/%Y %H:%M:%S" if kind == "dma" else None
        frame["timestamp"] = _to_time(raw["timestamp"], day_first)
        frame["_time_blank"] = _is_blank(raw["timestamp"])
        for name in ("lat", "lon", "sog", "cog", "heading", "length"):
            if name in raw:
                frame[name] = _to_float(raw[name])
        if "nav_status" in raw:
            if kind == "dma":
                frame["nav_status"] = _lookup(raw["nav_status"], _DMA_NAV_STATUS, 15)
            else:
                frame["nav_status"] = _to_small_int(raw["nav_status"], 15)
        if "ship_type" in raw:
            if kind == "dma":
                frame["ship_type"] = _lookup(raw["ship_type"], _DMA_SHIP_TYPE, 0)
            else:
                frame["ship_type"] = _to_small_int(raw["ship_type"], 0)
        if "name" in raw:
            frame["name"] = _text(raw["name"])
        if kind == "dma":
            mobile = pc.utf8_trim_whitespace(table.column(_DMA_MOBILE).fill_null(""))
            is_a = pc.equal(mobile, "Class A").to_numpy(zero_copy_only=False)
            is_b = pc.equal(mobile, "Class B").to_numpy(zero_copy_only=False)
            frame["transceiver_class"] = np.where(is_a, "A", np.where(is_b, "B", ""))
            frame["_not_vessel"] = ~(is_a | is_b)
        elif "transceiver_class" in raw:
            cls = pc.utf8_upper(pc.utf8_trim_whitespace(raw["transceiver_class"]))
            cls = cls.fill_null("")
            known = pc.is_in(cls, value_set=pa.array(["A", "B"]))
            frame["transceiver_class"] = _text(pc.if_else(known, cls, ""))
        if quarantine is not None:
            frame["_raw"] = _join_row(table)
        # Pass the only reference on (see _iter_item).
        chunk = [frame]
        del raw, table, frame
        yield chunk.pop()


def _join_row(table: pa.Table) -> np.ndarray:
    return pc.binary_join_element_wise(
        *table.columns, ",", null_handling="replace", null_replacement=""
    ).to_numpy(zero_copy_only=False)


def _is_blank(col) -> np.ndarray:
    return np.asarray(col.is_null())


def _text(col) -> pd.Series:
    return pc.utf8_trim_whitespace(col.fill_null("")).to_pandas()


def _to_float(col) -> np.ndarray:
    """Numbers as float64; NaN where blank or not a number."""
    try:
        out = pc.cast(col, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        # Rare: stray spaces or text in a numeric column; parse value by value.
        values = pc.utf8_trim_whitespace(col).to_numpy(zero_copy_only=False)
        return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(np.float64)
    return out.to_numpy(zero_copy_only=False).astype(np.float64)


def _to_int(col: pa.Array) -> np.ndarray:
    """Integers as float64 (NaN where missing or not a whole number)."""
    values = _to_float(col)
    return np.where(np.mod(values, 1.0) == 0.0, values, np.nan)


def _to_small_int(col: pa.Array, missing: int) -> np.ndarray:
    values = _to_float(col)
    ok = np.isfinite(values) & (values >= 0) & (values < 32000)
    return np.where(ok, values, missing).astype(np.int64)


def _lookup(col: pa.Array, table: dict[str, int], missing: int) -> np.ndarray:
    low = pc.utf8_lower(pc.utf8_trim_whitespace(col.fill_null("")))
    keys = pa.array(list(table))
    index = pc.index_in(low, value_set=keys).fill_null(-1).to_numpy()
    codes = np.append(np.array(list(table.values()), dtype=np.int64), missing)
    return codes[index]


def _to_time(col, fmt: str | None = None) -> np.ndarray:
    """Times as int64 ns UTC; the minimum int64 marks unparsable or missing.

    Without ``fmt``: ISO 8601 (``T`` or space, optional zone), falling back to
    a per-value parse that also takes unix seconds.
    """
    if fmt is not None:
        trimmed = pc.utf8_trim_whitespace(col)
        parsed = pc.strptime(trimmed, format=fmt, unit="ns", error_is_null=True)
        return parsed.cast(pa.int64()).fill_null(_NAT).to_numpy(zero_copy_only=False)
    for target in (pa.timestamp("ns"), pa.timestamp("ns", tz="UTC")):
        try:
            parsed = pc.cast(col, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        return parsed.cast(pa.int64()).fill_null(_NAT).to_numpy(zero_copy_only=False)
    trimmed = pc.utf8_trim_whitespace(col).to_numpy(zero_copy_only=False)
    series = pd.Series(trimmed, dtype=object)
    numeric = pd.to_numeric(series, errors="coerce")
    parsed = pd.to_datetime(series, errors="coerce", utc=True, format="ISO8601")
    as_unix = pd.to_datetime(numeric.where(numeric > 1e8), unit="s", utc=True)
    parsed = parsed.where(parsed.notna(), as_unix)
    out = parsed.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]")
    return np.where(np.isnat(out), _NAT, out.view(np.int64))


def _read_gpkg(
    item: _Input,
    report: FileReport,
    layer: str | None,
    mapping: dict[str, str] | None,
) -> Iterator[pd.DataFrame]:
    import pyogrio

    path = item.path
    tmp_dir = None
    if item.member is not None or item.gzipped:
        tmp_dir = tempfile.mkdtemp(prefix="coastwatch-")
        path = Path(tmp_dir) / "input.gpkg"
        with item.open() as src, open(path, "wb") as dst:
            shutil.copyfileobj(src, dst)
    try:
        try:
            layers = pyogrio.list_layers(path)
        except Exception as exc:
            raise InputError(item.name, f"cannot open GeoPackage ({exc})") from exc
        point_layers = [
            str(n) for n, g in layers if g is not None and "POINT" in str(g).upper()
        ]
        if layer is None:
            if not point_layers:
                raise InputError(item.name, "GeoPackage has no point layer")
            layer = point_layers[0]
        elif layer not in [str(n) for n, _ in layers]:
            raise InputError(item.name, f"GeoPackage has no layer {layer!r}")
        frame = pyogrio.read_dataframe(path, layer=layer)
    finally:
        if tmp_dir is not None:
            shutil.rmtree(tmp_dir, ignore_errors=True)
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    report.read += len(frame)
    names = [c for c in frame.columns if c != "geometry"]
    columns = _column_map(names, mapping)
    if not (mapping and "timestamp" in mapping):
        # A column already typed as a date-time beats a text one whose
        # day/month order would have to be guessed.
        typed = [
            c
            for c in names
            if pd.api.types.is_datetime64_any_dtype(frame[c])
            and _normalise(c) in _ALIASES["timestamp"]
        ]
        if typed:
            columns["timestamp"] = typed[0]
    geometry = frame.geometry
    out = pd.DataFrame({"_line": np.arange(1, len(frame) + 1)})
    empty = geometry.is_empty.to_numpy() | geometry.isna().to_numpy()
    out["lon"] = np.where(empty, np.nan, geometry.x.to_numpy())
    out["lat"] = np.where(empty, np.nan, geometry.y.to_numpy())
    columns.pop("lat", None)
    columns.pop("lon", None)
    for needed in ("mmsi", "timestamp"):
        if needed not in columns:
            raise InputError(
                item.name,
                f"GeoPackage layer {layer!r} lacks a {needed} column "
                "(give a column mapping)",
            )
    mmsi = pd.to_numeric(frame[columns["mmsi"]], errors="coerce")
    out["_mmsi_blank"] = frame[columns["mmsi"]].isna().to_numpy()
    out["mmsi"] = mmsi.where(mmsi % 1 == 0).to_numpy(np.float64)
    times = frame[columns["timestamp"]]
    out["_time_blank"] = times.isna().to_numpy()
    parsed = pd.to_datetime(times, errors="coerce", utc=True, format="mixed")
    out["timestamp"] = (
        parsed.dt.tz_convert("UTC")
        .dt.tz_localize(None)
        .to_numpy("datetime64[ns]")
        .view(np.int64)
    )
    for name in ("sog", "cog", "heading", "length"):
        if name in columns:
            out[name] = pd.to_numeric(frame[columns[name]], errors="coerce").to_numpy(
                np.float64
            )
    for name, missing in (("nav_status", 15), ("ship_type", 0)):
        if name in columns:
            values = pd.to_numeric(frame[columns[name]], errors="coerce")
            ok = values.notna() & (values >= 0) & (values < 32000)
            out[name] = values.where(ok, missing).to_numpy(np.int64)
    if "name" in columns:
        out["name"] = frame[columns["name"]].fillna("").astype(str).to_numpy()
    out["_raw"] = frame.drop(columns="geometry").astype(str).agg(",".join, axis=1)
    yield out


def _read_parquet(item: _Input, report: FileReport) -> Iterator[pd.DataFrame]:
    try:
        source = item.open() if (item.member or item.gzipped) else item.path
        parquet = pq.ParquetFile(source)
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(item.name, f"cannot read Parquet ({exc})") from exc
    names = parquet.schema_arrow.names
    missing = [c for c in ("mmsi", "timestamp", "lat", "lon") if c not in names]
    if missing:
        raise InputError(
            item.name,
            f"Parquet file lacks canonical column(s) {', '.join(missing)}",
        )
    wanted = [c for c in TRACK_DTYPES if c in names]
    row = 0
    groups = list(range(parquet.num_row_groups))
    # About one chunk of row groups at a time: memory stays bounded by a
    # chunk whatever the file size, and all cores still decode.
    step = max(
        1, _CHUNK_ROWS // max(1, parquet.metadata.num_rows // max(1, len(groups)))
    )
    for first in range(0, len(groups), step):
        try:
            table = parquet.read_row_groups(
                groups[first : first + step], columns=wanted, use_threads=True
            )
        except (OSError, pa.ArrowInvalid) as exc:
            raise InputError(item.name, f"cannot read Parquet ({exc})") from exc
        n = table.num_rows
        report.read += n
        ts = table.column("timestamp")
        time_blank = np.asarray(ts.is_null())
        if pa.types.is_timestamp(ts.type):
            utc = ts.cast(pa.timestamp(ts.type.unit, tz="UTC")) if ts.type.tz else ts
            ns = utc.cast(pa.timestamp("ns", tz=utc.type.tz)).cast(pa.int64())
        else:
            ns = pa.array(_to_time(pc.cast(ts, pa.string())))
        mmsi = table.column("mmsi")
        mmsi_blank = np.asarray(mmsi.is_null())
        table = table.drop_columns(["timestamp", "mmsi"])
        frame = table.to_pandas()
        # Unsafe: integers past 2**53 become floats there, rejected as not
        # numbers, instead of failing the whole file.
        frame["mmsi"] = mmsi.cast(pa.float64(), safe=False).to_numpy()
        frame["timestamp"] = ns.fill_null(_NAT).to_numpy()
        frame["_line"] = np.arange(row + 1, row + n + 1)
        frame["_mmsi_blank"] = mmsi_blank
        frame["_time_blank"] = time_blank
        row += n
        # Pass the only reference on (see _iter_item).
        chunk = [frame]
        del table, ts, ns, mmsi, frame
        yield chunk.pop()


# --------------------------------------------------------------------------
# Common validation and accounting
# --------------------------------------------------------------------------


_CHECK_ORDER = (
    "not_a_vessel",
    "mmsi_missing",
    "mmsi_not_a_number",
    "mmsi_zero",
    "time_missing",
    "time_unparsable",
    "position_not_available",
    "position_out_of_range",
)


def _clean_chunk(
    frame: pd.DataFrame,
    item_name: str,
    report: FileReport,
    quarantine: Quarantine | None,
    counted: bool = False,
) -> pd.DataFrame:
    """Reject bad rows with a reason; return the rest in canonical dtypes.

    Each bad row gets the first reason in :data:`_CHECK_ORDER` that applies.
    ``counted`` says whether the chunk's rows were already added to
    ``report.read`` by the format reader.
    """
    n = len(frame)
    if not counted:
        report.read += n
    mmsi = frame["mmsi"].to_numpy(np.float64)
    t = frame["timestamp"].to_numpy(np.int64)
    lat = frame["lat"].to_numpy(np.float64)
    lon = frame["lon"].to_numpy(np.float64)
    no_flag = np.zeros(n, dtype=bool)

    def flag(column: str) -> np.ndarray:
        return frame[column].to_numpy(bool) if column in frame else no_flag

    with np.errstate(invalid="ignore"):
        checks = (
            flag("_not_vessel"),
            flag("_mmsi_blank"),
            # Malformed but numeric identities (wrong length, bad MID) are
            # kept and flagged by mmsi_valid; only non-identities are rejected.
            np.isnan(mmsi) | (mmsi < 0) | (mmsi >= 2.0**53),
            mmsi == 0,
            flag("_time_blank"),
            t == _NAT,
            (lat == LAT_NOT_AVAILABLE)
            | (lon == LON_NOT_AVAILABLE)
            | np.isnan(lat)
            | np.isnan(lon),
            (np.abs(lat) > 90) | (np.abs(lon) > 180),
        )
    reason = np.full(n, -1, dtype=np.int8)
    for code in range(len(checks) - 1, -1, -1):
        reason[checks[code]] = code
    bad = reason >= 0
    if bad.any():
        codes, counts = np.unique(reason[bad], return_counts=True)
        for code, count in zip(codes.tolist(), counts.tolist(), strict=True):
            report.reject(_CHECK_ORDER[code], count)
        if quarantine is not None:
            raw = frame["_raw"].to_numpy() if "_raw" in frame else None
            lines = frame["_line"].to_numpy()
            for i in np.flatnonzero(bad).tolist():
                text = "" if raw is None else str(raw[i])
                quarantine.add(item_name, int(lines[i]), _CHECK_ORDER[reason[i]], text)
        frame = frame.loc[~bad]
    keep = [c for c in frame.columns if c in TRACK_DTYPES or c in ("_line", "_raw")]
    frame = frame[keep].assign(
        mmsi=frame["mmsi"].to_numpy(np.float64).astype(np.int64),
        timestamp=pd.DatetimeIndex(
            frame["timestamp"].to_numpy(np.int64).view("datetime64[ns]"), tz="UTC"
        ),
    )
    out = conform_tracks(frame)
    report.accepted += len(out)
    return out


def _iter_item(
    item: _Input,
    fmt: str,
    report: FileReport,
    quarantine: Quarantine | None,
    columns: dict[str, str] | None,
    layer: str | None,
    nmea_workers: int,
    static_sink: list[pd.DataFrame],
) -> Iterator[pd.DataFrame]:
    if fmt == "nmea":
        from .nmea import NmeaReader

        reader = NmeaReader(item.name, report, quarantine, workers=nmea_workers)
        with item.open() as stream:
            for frame in reader.chunks(stream):
                handed = [
                    conform_tracks(frame.drop(columns=["msg_type"], errors="ignore"))
                ]
                del frame
                yield handed.pop()
        if reader.static is not None and len(reader.static):
            static_sink.append(reader.static)
        return
    if fmt in ("marinecadastre", "dma", "csv"):
        raws = _read_csv_like(item, report, quarantine, fmt, columns)
    elif fmt == "parquet":
        raws = _read_parquet(item, report)
    elif fmt == "gpkg":
        raws = _read_gpkg(item, report, layer, columns)
    else:  # pragma: no cover - guarded by the caller
        raise InputError(item.name, f"unknown format {fmt!r}")
    # A generator's locals live until it resumes: a chunk kept by name while
    # the consumer works on it (and copies it) would hold a second chunk at
    # the peak, so each chunk is handed on as the only reference to it.
    counted = fmt in ("parquet", "gpkg")
    for raw in raws:
        chunk = [_clean_chunk(raw, item.name, report, quarantine, counted)]
        del raw
        yield chunk.pop()


def iter_track_chunks(
    source,
    format: str = "auto",
    *,
    report: ReadReport | None = None,
    quarantine: Quarantine | None = None,
    columns: dict[str, str] | None = None,
    layer: str | None = None,
    nmea_workers: int = 1,
    static_sink: list[pd.DataFrame] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, pd.DataFrame]]:
    """Yield cleaned, unsorted chunks of the track table, file by file.

    Rows are validated and counted, but not yet de-duplicated or joined with
    static data: :func:`read_tracks` and :func:`ingest` do that.

    Parameters
    ----------
    source, format, report, quarantine, columns, layer, nmea_workers
        As for :func:`read_tracks`.
    static_sink : list, optional
        Receives static-data tables (NMEA types 5/24/19) found on the way.
    progress : callable, optional
        Called with the number of input bytes consumed after each file.

    Yields
    ------
    (int, pandas.DataFrame)
        The index of the file in ``report.files`` and a chunk in canonical
        dtypes with an extra ``_line`` column (and ``_raw`` with quarantine).
    """
    if format not in FORMATS:
        raise InputError(
            None, f"unknown format {format!r} (known: {', '.join(FORMATS)})"
        )
    report = report if report is not None else ReadReport()
    static_sink = static_sink if static_sink is not None else []
    for path in _expand_sources(source):
        for item in _inputs_of(path):
            head = item.head()
            fmt = detect_format(head, item.name) if format == "auto" else format
            if format != "auto" and not head:
                raise InputError(item.name, "file is empty")
            entry = report.add_file(item.name, fmt)
            index = len(report.files) - 1
            for chunk in _iter_item(
                item, fmt, entry, quarantine, columns, layer, nmea_workers, static_sink
            ):
                if len(chunk):
                    # Hand the only reference on (see _iter_item).
                    handed = [chunk]
                    del chunk
                    yield index, handed.pop()
            if progress is not None:
                progress(path.stat().st_size)


# --------------------------------------------------------------------------
# Finishing: duplicates, static data, order
# --------------------------------------------------------------------------


def _drop_duplicates(
    frame: pd.DataFrame,
    report: ReadReport,
    quarantine: Quarantine | None,
) -> pd.DataFrame:
    """Drop exact duplicates (mmsi, time, lat, lon); keep the first read.

    ``frame`` must be sorted by (mmsi, timestamp, _order) where ``_order``
    is the reading order; the kept copy is then the earliest read.
    """
    mmsi = frame["mmsi"].to_numpy()
    t = timestamps_ns(frame)
    if len(frame) < 2:
        return frame
    same_time = (mmsi[1:] == mmsi[:-1]) & (t[1:] == t[:-1])
    if not same_time.any():
        return frame
    # Only rows sharing (mmsi, time) with a neighbour can be duplicates.
    candidate = np.zeros(len(frame), dtype=bool)
    candidate[1:] |= same_time
    candidate[:-1] |= same_time
    sub = frame.loc[candidate, ["mmsi", "timestamp", "lat", "lon"]]
    dup_sub = sub.duplicated(keep="first").to_numpy()
    duplicate = np.zeros(len(frame), dtype=bool)
    duplicate[np.flatnonzero(candidate)[dup_sub]] = True
    if not duplicate.any():
        return frame
    files = frame["_file"].to_numpy()[duplicate]
    for index, count in zip(*np.unique(files, return_counts=True), strict=False):
        entry = report.files[int(index)]
        entry.accepted -= int(count)
        entry.reject("duplicate", int(count))
    if quarantine is not None:
        dups = frame.loc[duplicate]
        raw = dups["_raw"].to_numpy() if "_raw" in dups else None
        for k, (fi, line) in enumerate(zip(dups["_file"], dups["_line"], strict=False)):
            text = "" if raw is None else str(raw[k])
            quarantine.add(report.files[int(fi)].path, int(line), "duplicate", text)
    return frame.loc[~duplicate]


def _merge_static(statics: list[pd.DataFrame]) -> pd.DataFrame | None:
    if not statics:
        return None
    table = pd.concat(statics, ignore_index=True)
    rows = {}
    for column in STATIC_COLUMNS:
        if column not in table:
            continue
        values = table[["mmsi", column]]
        if TRACK_DTYPES[column] == "str":
            values = values[values[column].astype(str) != ""]
        elif column == "ship_type":
            values = values[values[column] != 0]
        else:
            values = values[values[column].notna()]
        rows[column] = values.groupby("mmsi")[column].last()
    return pd.DataFrame(rows)


def _join_static(frame: pd.DataFrame, static: pd.DataFrame | None) -> pd.DataFrame:
    if static is None or not len(frame):
        return frame
    mmsi = frame["mmsi"].to_numpy()
    for column in static.columns:
        known = static[column].dropna()
        pos = known.index.get_indexer(mmsi)
        hit = pos >= 0
        if not hit.any():
            continue
        current = frame[column].to_numpy()
        if TRACK_DTYPES[column] == "str":
            empty = current.astype(str) == ""
        elif column == "ship_type":
            empty = current == 0
        else:
            empty = np.isnan(current.astype(np.float64))
        take = hit & empty
        if take.any():
            values = current.copy()
            values[take] = known.to_numpy()[pos[take]]
            frame[column] = pd.array(values, dtype=frame[column].dtype)
    return frame


def _finish(
    chunks: list[pd.DataFrame],
    report: ReadReport,
    quarantine: Quarantine | None,
    static: pd.DataFrame | None,
) -> pd.DataFrame:
    """Concatenate chunks, sort by (mmsi, timestamp), drop duplicates, join.

    Ties keep reading order: the ``_order`` column where present, else the
    order of ``chunks`` (both sorts are stable).
    """
    if not chunks:
        return empty_tracks()
    frame = chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True)
    mmsi = frame["mmsi"].to_numpy()
    t = timestamps_ns(frame)
    keys = (t, mmsi) if "_order" not in frame else (frame["_order"].to_numpy(), t, mmsi)
    if not _is_sorted(keys):
        frame = frame.iloc[_lexsort(keys)]
    frame = _drop_duplicates(frame.reset_index(drop=True), report, quarantine)
    frame = _join_static(frame, static)
    frame = frame.drop(columns=[c for c in frame.columns if c.startswith("_")])
    return frame.reset_index(drop=True)


def _lexsort(keys: tuple[np.ndarray, ...]) -> np.ndarray:
    """``np.lexsort(keys)`` (last key primary, ties in input order), faster.

    The primary key is replaced by its rank among its distinct values and
    the others by their offset from their minimum; when these fit side by
    side in 63 bits (a few thousand MMSIs over days of nanoseconds do), one
    stable argsort of the packed int64 gives the very same order at a third
    of the cost of lexsort's pass per key. Otherwise lexsort itself.
    """
    if not len(keys[-1]):
        return np.zeros(0, dtype=np.intp)
    rank, distinct = pd.factorize(keys[-1], sort=True)
    if (rank < 0).any():  # missing values: lexsort places them
        return np.lexsort(keys)
    parts = [np.asarray(rank, dtype=np.int64)]
    widths = [max(int(len(distinct) - 1).bit_length(), 1)]
    for key in reversed(keys[:-1]):
        key = np.asarray(key)
        if key.dtype.kind != "i":
            return np.lexsort(keys)
        low, high = int(key.min()), int(key.max())
        if high - low >= 2**62:
            return np.lexsort(keys)
        part = key.astype(np.int64) - low
        # Times in whole seconds (most AIS files) need 30 bits fewer as
        # seconds than as nanoseconds; dividing by a common unit keeps order.
        for unit in (10**9, 10**6, 10**3):
            if high - low >= unit and not (part % unit).any():
                part //= unit
                high = low + (high - low) // unit
                break
        parts.append(part)
        widths.append(max((high - low).bit_length(), 1))
    if sum(widths) > 63:
        return np.lexsort(keys)
    packed = parts[0]
    for part, width in zip(parts[1:], widths[1:], strict=True):
        packed = (packed << width) | part
    row_bits = max(int(len(packed) - 1).bit_length(), 1)
    if sum(widths) + row_bits <= 63:
        # The row number in the low bits makes every key distinct and ties
        # keep input order, so a plain sort of the values (several times
        # faster than a stable argsort) gives the order.
        packed = (packed << row_bits) | np.arange(len(packed), dtype=np.int64)
        return np.sort(packed) & ((1 << row_bits) - 1)
    return np.argsort(packed, kind="stable")


def _is_sorted(keys: tuple[np.ndarray, ...]) -> bool:
    """Whether rows are in lexicographic order of ``keys`` (last key first)."""
    if len(keys[0]) < 2:
        return True
    ties = np.ones(len(keys[0]) - 1, dtype=bool)
    for key in reversed(keys):
        # Shifted views compared: boolean temporaries, not int64 diffs.
        after, before = key[1:], key[:-1]
        if (ties & (after < before)).any():
            return False
        ties &= after == before
        if not ties.any():
            return True
    return True


def read_tracks(
    source,
    format: str = "auto",
    *,
    report: ReadReport | None = None,
    quarantine: Quarantine | None = None,
    columns: dict[str, str] | None = None,
    layer: str | None = None,
    nmea_workers: int = 1,
) -> pd.DataFrame:
    """Read track files into one canonical track table.

    Parameters
    ----------
    source : str, os.PathLike, or iterable of them
        A file, a folder (all files below it, in name order; hidden files and
        documentation, image, JSON and NetCDF files are passed over), or a
        list of files and folders. ``.gz`` and ``.zip`` are
        opened transparently (each zip member is read as its own file).
    format : str
        ``auto`` (default: detected per file from its content) or one of
        ``marinecadastre``, ``dma``, ``nmea``, ``gpkg``, ``parquet``, ``csv``.
    report : ReadReport, optional
        Filled with the counts per file and reason; read == accepted +
        rejected always holds.
    quarantine : Quarantine, optional
        Receives every rejected raw row with its file, line and reason.
    columns : dict, optional
        For generic CSV and GeoPackage: ``{canonical_name: source_name}``,
        e.g. ``{"mmsi": "ShipId", "timestamp": "Time"}``.
    layer : str, optional
        GeoPackage layer; default the first point layer.
    nmea_workers : int
        Processes used to decode NMEA (1 or 2 on this kind of machine).

    Returns
    -------
    pandas.DataFrame
        The track table (see :mod:`coastwatch.schema`), sorted by
        (mmsi, timestamp); rows with equal keys keep their reading order.

    Raises
    ------
    InputError
        For a missing, empty, unreadable, binary or unrecognised file, or a
        CSV without the required columns: one line naming the file.
    """
    report = report if report is not None else ReadReport()
    if format in ("auto", "parquet") and quarantine is None:
        fast = _read_canonical_parquet(source, report)
        if fast is not None:
            return fast
    statics: list[pd.DataFrame] = []
    chunks = []
    for index, chunk in iter_track_chunks(
        source,
        format,
        report=report,
        quarantine=quarantine,
        columns=columns,
        layer=layer,
        nmea_workers=nmea_workers,
        static_sink=statics,
    ):
        chunk["_file"] = np.int32(index)
        chunks.append(chunk)
    tracks = _finish(chunks, report, quarantine, _merge_static(statics))
    report.check()
    return tracks


def ingest(
    source,
    output: str | os.PathLike,
    format: str = "auto",
    *,
    report: ReadReport | None = None,
    quarantine: Quarantine | None = None,
    columns: dict[str, str] | None = None,
    layer: str | None = None,
    nmea_workers: int = 1,
    rows_per_pass: int = 4_000_000,
    progress: Callable[[int], None] | None = None,
) -> ReadReport:
    """Stream track files into one sorted canonical Parquet file.

    Memory stays bounded by one input chunk plus ``rows_per_pass`` rows and
    the number of distinct MMSIs, not by the input size: each cleaned chunk is
    sorted and spilled to a temporary run; the runs are then merged MMSI range
    by MMSI range (duplicates removed, static data joined) into the output.

    Parameters
    ----------
    source, format, report, quarantine, columns, layer, nmea_workers
        As for :func:`read_tracks`.
    output : str or os.PathLike
        The Parquet file to write (atomically: temp file, then rename).
    rows_per_pass : int
        Rows merged at once in the second pass (about 100 bytes each).
    progress : callable, optional
        Called with input bytes consumed, for a progress bar.

    Returns
    -------
    ReadReport
        The counts (also filled into ``report`` when given).
    """
    report = report if report is not None else ReadReport()
    statics: list[pd.DataFrame] = []
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    # Runs live beside the output: same disk, cleaned up on any exit.
    with tempfile.TemporaryDirectory(
        prefix=".coastwatch-ingest-", dir=Path(output).parent
    ) as tmp:
        runs: list[Path] = []
        counts: dict[int, int] = {}
        order = 0
        for index, chunk in iter_track_chunks(
            source,
            format,
            report=report,
            quarantine=quarantine,
            columns=columns,
            layer=layer,
            nmea_workers=nmea_workers,
            static_sink=statics,
            progress=progress,
        ):
            chunk["_file"] = np.int32(index)
            chunk["_order"] = np.arange(order, order + len(chunk), dtype=np.int64)
            order += len(chunk)
            chunk = chunk.iloc[
                np.lexsort(
                    (chunk["_order"].to_numpy(), timestamps_ns(chunk), chunk["mmsi"])
                )
            ]
            if "_raw" in chunk:
                chunk = chunk.assign(_raw=chunk["_raw"].astype(str))
            run = Path(tmp) / f"run{len(runs):05d}.parquet"
            pq.write_table(
                pa.Table.from_pandas(chunk, preserve_index=False),
                run,
                row_group_size=65536,
                compression="lz4",
            )
            runs.append(run)
            ids, n = np.unique(chunk["mmsi"].to_numpy(), return_counts=True)
            for i, c in zip(ids.tolist(), n.tolist(), strict=False):
                counts[i] = counts.get(i, 0) + c
            del chunk
        static = _merge_static(statics)
        with atomic_path(output) as part:
            _merge_runs(runs, counts, part, rows_per_pass, report, quarantine, static)
    report.check()
    return report


def _merge_runs(
    runs: list[Path],
    counts: dict[int, int],
    target: Path,
    rows_per_pass: int,
    report: ReadReport,
    quarantine: Quarantine | None,
    static: pd.DataFrame | None,
) -> None:
    schema = pa.Schema.from_pandas(empty_tracks(), preserve_index=False)
    schema = schema.with_metadata(
        {**(schema.metadata or {}), _CANONICAL_KEY: _CANONICAL_VALUE}
    )
    writer = pq.ParquetWriter(target, schema, compression=CANONICAL_COMPRESSION)
    try:
        ids = np.array(sorted(counts), dtype=np.int64)
        sizes = np.array([counts[i] for i in ids.tolist()], dtype=np.int64)
        lo = 0
        while lo < len(ids):
            total = np.cumsum(sizes[lo:])
            hi = lo + max(1, int(np.searchsorted(total, rows_per_pass, side="right")))
            first, last = int(ids[lo]), int(ids[hi - 1])
            parts = []
            for run in runs:
                # Runs are sorted by MMSI: row-group statistics skip the rest.
                table = pq.read_table(
                    run, filters=[("mmsi", ">=", first), ("mmsi", "<=", last)]
                )
                if table.num_rows:
                    parts.append(table.to_pandas())
            frame = _finish(parts, report, quarantine, static)
            if len(frame):
                table = pa.Table.from_pandas(
                    frame[list(TRACK_DTYPES)], schema=schema, preserve_index=False
                )
                writer.write_table(table, row_group_size=1 << 20)
            lo = hi
    finally:
        writer.close()


def write_tracks(tracks: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write a track table as canonical Parquet, atomically.

    Parameters
    ----------
    tracks : pandas.DataFrame
        A track table (canonical columns first; extra columns are kept).
    path : str or os.PathLike
        Target file.
    """
    table = pa.Table.from_pandas(tracks, preserve_index=False)
    if _is_clean_track_table(tracks):
        table = table.replace_schema_metadata(
            {**(table.schema.metadata or {}), _CANONICAL_KEY: _CANONICAL_VALUE}
        )
    with atomic_path(path) as part:
        pq.write_table(table, part, compression=CANONICAL_COMPRESSION)


# Parquet files marked with this key hold a canonical track table that is
# sorted by (mmsi, timestamp) and free of exact duplicates: read_tracks then
# takes them as they are (after a vectorised sanity check).
_CANONICAL_KEY = b"coastwatch.tracks"
_CANONICAL_VALUE = b'{"version": 1, "sorted": true, "deduplicated": true}'
_NAT_NS = np.iinfo(np.int64).min
CANONICAL_COMPRESSION = "lz4"
"""Codec of canonical Parquet files: lz4 decodes about a quarter faster than
zstd for files about a fifth larger (``scripts/bench_readers.py``)."""


def _is_clean_track_table(tracks: pd.DataFrame) -> bool:
    if any(c not in tracks for c in TRACK_DTYPES):
        return False
    if any(
        TRACK_DTYPES[c] != "str" and tracks[c].dtype != TRACK_DTYPES[c]
        for c in TRACK_DTYPES
    ):
        return False
    mmsi = tracks["mmsi"].to_numpy()
    t = timestamps_ns(tracks)
    lat = tracks["lat"].to_numpy()
    lon = tracks["lon"].to_numpy()
    if not len(mmsi):
        return True
    # Reductions, not masks: one pass each and no temporary of the table's
    # size; this check is most of the fast path's own cost. NaN makes min
    # and max NaN and fails the comparisons; fmax and fmin skip NaN, which
    # is 'not available' in speeds, courses and lengths.
    if not (
        mmsi.min() > 0
        # The careful path takes identities as float64: larger ones are not
        # numbers to it.
        and mmsi.max() < 2**53
        and t.min() != _NAT_NS
        and lat.min() >= -90
        and lat.max() <= 90
        and lon.min() >= -180
        and lon.max() <= 180
    ):
        return False
    # What conform_tracks would blank or fill: the careful path's output
    # never holds it.
    if (
        np.fmax.reduce(tracks["sog"].to_numpy())
        >= np.float32(SOG_NOT_AVAILABLE) - SENTINEL_TOLERANCE
        or np.fmax.reduce(tracks["cog"].to_numpy())
        >= np.float32(COG_NOT_AVAILABLE) - SENTINEL_TOLERANCE
        or np.fmax.reduce(tracks["heading"].to_numpy()) >= 360
        or np.fmin.reduce(tracks["length"].to_numpy()) <= 0
        or any(tracks[c].hasnans for c in TRACK_DTYPES if TRACK_DTYPES[c] == "str")
    ):
        return False
    if len(mmsi) < 2:
        return True
    # Comparisons of shifted views: boolean temporaries, not int64 diffs.
    if (mmsi[1:] < mmsi[:-1]).any():
        return False
    same_vessel = mmsi[1:] == mmsi[:-1]
    if (same_vessel & (t[1:] < t[:-1])).any():
        return False
    same = same_vessel & (t[1:] == t[:-1])
    if same.any():
        rows = np.flatnonzero(
            np.concatenate([[False], same]) | np.concatenate([same, [False]])
        )
        # The key columns of the tied rows only: copying whole rows (text
        # included) would cost more than the rest of the check.
        tied = pd.DataFrame(
            {"mmsi": mmsi[rows], "t": t[rows], "lat": lat[rows], "lon": lon[rows]}
        )
        if tied.duplicated().any():
            return False
    return True


def _read_canonical_parquet(source, report: ReadReport) -> pd.DataFrame | None:
    """The fast path: one marked canonical Parquet file, read as it is."""
    if not isinstance(source, str | os.PathLike):
        return None
    path = Path(source)
    if not path.is_file():
        return None
    with open(path, "rb") as handle:
        if handle.read(4) != b"PAR1":
            return None
    try:
        parquet = pq.ParquetFile(path)
    except (OSError, pa.ArrowInvalid):
        return None
    metadata = parquet.schema_arrow.metadata or {}
    if metadata.get(_CANONICAL_KEY) != _CANONICAL_VALUE:
        return None
    # split_blocks: one array per column, no copy into 2-D blocks.
    tracks = parquet.read(use_threads=True).to_pandas(
        split_blocks=True, self_destruct=True
    )
    if not _is_clean_track_table(tracks):
        return None  # edited since it was written: take the careful path
    entry = report.add_file(path, "parquet")
    entry.read = entry.accepted = len(tracks)
    return tracks
