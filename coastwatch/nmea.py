"""Raw NMEA 0183 AIS (``!xxVDM`` / ``!xxVDO``) into track-table rows.

:class:`NmeaReader` streams an (already decompressed) NMEA file and yields
DataFrames of vessel position reports, accounting for every line of the file:
each line is either the first (or only) sentence of an accepted position
report, or is counted under exactly one reject reason of
:data:`coastwatch.accounting.REJECT_REASONS`.

What a line becomes
-------------------
======================  ====================================================
reason                  lines
======================  ====================================================
(accepted)              the first sentence of a usable position report
                        (types 1, 2, 3, 18, 19, 27)
blank_line              empty or whitespace-only lines
metadata_line           ``$PGHP`` time lines, other ``$`` / non-AIS ``!``
                        sentences, ``#`` comments, lines holding only an
                        NMEA 4.0 tag block (e.g. ``\\si:AISD*3F\\``)
bad_checksum            a sentence, tag block or ``$PGHP`` line whose
                        ``*hh`` checksum does not match (or is not hex)
unparsable              anything else that cannot be read: garbage, a
                        truncated sentence (no ``*hh``), bad fields, a
                        payload with characters outside the AIS alphabet,
                        an undefined message type, a message too short for
                        its type
incomplete_multipart    a fragment of a multi-sentence message whose other
                        fragments never arrive, arrive out of order, carry a
                        different fragment count, or come more than
                        ``MULTIPART_MAX_SPAN`` lines later
multipart_continuation  second and later sentences of an assembled message
not_position_report     any other message type, including the static types
                        5 and 24 (used for :attr:`NmeaReader.static`)
mmsi_zero               a position report from MMSI 0
position_not_available  latitude 91 or longitude 181 (AIS 'not available')
position_out_of_range   any other latitude outside [-90, 90] or longitude
                        outside [-180, 180]
time_missing            no receive time from any source
time_unparsable         the receive time that applies cannot be parsed
duplicate_relay         the same single-sentence position message (identical
                        payload, hence the same MMSI) already accepted within
                        ``relay_window_s`` seconds of receive time: one
                        transmission relayed by several receivers
======================  ====================================================

The checks on a decoded position report run in the order of the table (MMSI,
position, time, relay), and the first failing one names the reason.

Receive time
------------
The time of a sentence comes from the first of these that the line has:

1. an NMEA 4.0 tag block before the sentence, ``\\...c:<unix>...*hh\\``
   (Unix seconds; 12 or more digits are read as milliseconds);
2. the time set by the closest preceding Gatehouse
   ``$PGHP,1,YYYY,M,D,h,m,s,ms,...`` line (or a tag-block-only line with
   ``c:``), provided no other sentence came in between;
3. a leading column before the sentence: ISO 8601 (with a zone, converted to
   UTC; without, taken as UTC) or Unix seconds, separated by comma, space,
   tab or semicolon;
4. a trailing Unix time after the checksum (MSSIS style, ``...*hh,1412345678``).

If the first source present cannot be parsed, the sentence is rejected as
``time_unparsable`` (later sources are not tried). A multi-sentence message
takes the time of its first sentence.

Multi-sentence messages
-----------------------
Fragments are tied together by the tag-block group (``g:1-2-N`` or ``1G2:N``)
when present, otherwise by talker and sentence formatter, channel and
sequential message id. They must arrive in order, 1 to n, within
``MULTIPART_MAX_SPAN`` lines of the first fragment.

pyais decodes the payload only (message classes' ``from_vector``, attributes
read directly); the sentence framing, tag block and time are read here, and
the checksums of a whole block of lines are computed at once with numpy. With
``workers > 1`` that per-line work runs in worker processes on blocks of
lines, while everything that depends on earlier lines (times from ``$PGHP``,
multi-sentence assembly, relay duplicates, static data) runs in the calling
process in file order, so the result does not depend on the number of
workers. Memory is bounded by ``chunk_lines``: relay memory keeps about two
windows of receive time, and unfinished multi-sentence messages at most
``MULTIPART_MAX_SPAN`` lines.
"""

from __future__ import annotations

import collections
import concurrent.futures
import datetime as _dt
import functools
import gc
import itertools
import math
import operator
import re
import typing
from collections.abc import Iterator

import numpy as np
import pandas as pd
from pyais.bit_vector import bit_vector
from pyais.messages import MSG_CLASS

from .accounting import FileReport, Quarantine
from .errors import CoastwatchError, InputError

__all__ = [
    "MULTIPART_MAX_SPAN",
    "POSITION_TYPES",
    "ROW_COLUMNS",
    "STATIC_COLUMNS",
    "NmeaReader",
    "looks_like_nmea",
]

#: AIS message types that carry a vessel position.
POSITION_TYPES = frozenset({1, 2, 3, 18, 19, 27})
#: Columns (in order) of each DataFrame :meth:`NmeaReader.chunks` yields.
ROW_COLUMNS = (
    "mmsi",
    "timestamp",
    "lat",
    "lon",
    "sog",
    "cog",
    "heading",
    "nav_status",
    "transceiver_class",
    "msg_type",
    "_line",
)
#: Columns of :attr:`NmeaReader.static`.
STATIC_COLUMNS = ("mmsi", "name", "ship_type", "length", "transceiver_class")
#: A fragment whose message is not complete this many lines after its first
#: fragment is counted as ``incomplete_multipart``.
MULTIPART_MAX_SPAN = 1000

# Lines per block handed to the line parser (and to a worker process). Small
# enough for two workers to share a modest file, large enough that the cost
# of sending a block to a process stays negligible.
_BLOCK_LINES = 20_000
# How many lines at the start of a file must show one AIS sentence.
_SNIFF_LINES = 1000
# Bytes at the start of a file checked for binary content.
_SNIFF_BYTES = 8192

# Line outcomes. The names are reject reasons, except 'accepted'.
_OUTCOMES = (
    "accepted",
    "blank_line",
    "metadata_line",
    "bad_checksum",
    "unparsable",
    "incomplete_multipart",
    "multipart_continuation",
    "not_position_report",
    "mmsi_zero",
    "position_not_available",
    "position_out_of_range",
    "time_missing",
    "time_unparsable",
    "duplicate_relay",
)
(
    _ACCEPTED,
    _BLANK,
    _META,
    _BAD_CHECKSUM,
    _UNPARSABLE,
    _INCOMPLETE,
    _CONTINUATION,
    _NOT_POSITION,
    _MMSI_ZERO,
    _POS_NA,
    _POS_RANGE,
    _TIME_MISSING,
    _TIME_BAD,
    _DUPLICATE,
) = range(len(_OUTCOMES))
# Interim line codes of the parser: a decoded one-sentence position report,
# and a fragment of a multi-sentence message (both decided later, in order).
_POSITION = 30
_FRAGMENT = 31

# Role of a line in passing $PGHP times on to the next sentence.
_ROLE_NONE, _ROLE_SETTER, _ROLE_SENTENCE = 0, 1, 2
# Status of a time value.
_T_NONE, _T_OK, _T_BAD = 0, 1, 2

_HEX = {
    f"{high:X}{low:X}".encode(): high * 16 + low
    for high in range(16)
    for low in range(16)
}
_HEX.update({key.lower(): value for key, value in list(_HEX.items())})
_HEX.update({key[:1] + key[1:].lower(): value for key, value in list(_HEX.items())})
_HEX.update({key[:1].lower() + key[1:]: value for key, value in list(_HEX.items())})
_SMALL = {str(_v).encode(): _v for _v in range(1, 10)}
_SEQ_ID = {str(_v).encode(): _v for _v in range(10)}
_FILL_BITS = {str(_v).encode(): _v for _v in range(6)}
# The AIS six-bit payload alphabet: '0'..'W' and '`'..'w'.
_ARMOR_CHARS = bytes([*range(48, 88), *range(96, 120)])
_ARMOR_VALUE = [0] * 256
for _c in _ARMOR_CHARS:
    _ARMOR_VALUE[_c] = _c - 48 - 8 if _c - 48 > 40 else _c - 48
# Fewest payload bits a message needs for the fields read here.
_MIN_BITS = {1: 168, 2: 168, 3: 168, 18: 168, 19: 312, 27: 96, 5: 258, 24: 160}
_CLASS_OF_TYPE = {1: "A", 2: "A", 3: "A", 5: "A", 18: "B", 19: "B", 24: "B", 27: ""}
# A sentence line in its usual form, read by one regex call: optional tag
# block with checksum, then '!' + talker + VDM/VDO, count, number, sequence
# id, channel, payload, fill bits, checksum, and an optional trailing epoch.
# Groups: tag, tag checksum, body, head, count, number, sequence, channel,
# payload, fill, checksum, trailing epoch.
_FAST_LINE = re.compile(
    rb"[ \t]*(?:\\([^\\*]*)\*([0-9A-Fa-f]{2})\\)?"
    rb"!(([A-Z0-9-]{2}VD[MO]),([1-9]),([1-9]),([0-9]?),([A-Za-z0-9]?),"
    rb"([0-W`-w]+),([0-5]))\*([0-9A-Fa-f]{2})(,[0-9]{1,19})?[ \t\r]*"
)
_LEAD_END = re.compile(rb"[!\\$]")
_LEAD_SEPARATORS = b" ,;\t"
_SENTENCE_RE = re.compile(rb"(?m)^[^\n!]{0,200}![A-Z0-9-]{2}VD[MO],[1-9],[1-9],")

_GET_CLASS_A = operator.attrgetter(
    "mmsi", "lat", "lon", "speed", "course", "heading", "status"
)
_GET_CLASS_B = operator.attrgetter("mmsi", "lat", "lon", "speed", "course", "heading")
_GET_LONG_RANGE = operator.attrgetter("mmsi", "lat", "lon", "speed", "course", "status")
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
_MICROSECOND = _dt.timedelta(microseconds=1)


def looks_like_nmea(first_bytes: bytes) -> bool:
    """Tell whether the start of a file is NMEA 0183 AIS text.

    True when a line of ``first_bytes`` holds an AIS sentence
    (``!xxVDM,n,k,`` or ``!xxVDO,n,k,``), possibly after a tag block or a
    leading time column, and the bytes contain no NUL byte.

    Parameters
    ----------
    first_bytes : bytes
        The first few kilobytes of the decompressed file.

    Returns
    -------
    bool
        Whether to read the file with :class:`NmeaReader`.
    """
    if b"\x00" in first_bytes:
        return False
    return _SENTENCE_RE.search(first_bytes) is not None


# --------------------------------------------------------------------------
# Times
# --------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _days_since_epoch(year: int, month: int, day: int) -> int:
    return _dt.date(year, month, day).toordinal() - 719_163


def _unix_ns(text: bytes) -> tuple[int, int]:
    """Unix time in seconds (or ms/us/ns by digit count) -> (ns, status)."""
    if text.isdigit():
        digits = len(text)
        value = int(text)
        if digits <= 11:
            return value * 1_000_000_000, _T_OK
        if digits <= 14:
            return value * 1_000_000, _T_OK
        if digits <= 17:
            return value * 1_000, _T_OK
        if digits <= 19:
            return value, _T_OK
        return 0, _T_BAD
    whole, dot, fraction = text.partition(b".")
    if dot and whole.isdigit() and len(whole) <= 11 and fraction.isdigit():
        return int(whole) * 1_000_000_000 + int(fraction[:9].ljust(9, b"0")), _T_OK
    return 0, _T_BAD


def _column_ns(text: bytes) -> tuple[int, int]:
    """A leading time column (Unix seconds or ISO 8601) -> (ns, status)."""
    text = text.strip(_LEAD_SEPARATORS)
    if not text:
        return 0, _T_BAD
    if text[:1].isdigit() and text.replace(b".", b"").isdigit():
        return _unix_ns(text)
    try:
        stamp = _dt.datetime.fromisoformat(text.decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        return 0, _T_BAD
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=_dt.UTC)
    return ((stamp - _EPOCH) // _MICROSECOND) * 1000, _T_OK


def _pghp_ns(fields: list[bytes]) -> tuple[int, int]:
    """``$PGHP,1,YYYY,M,D,h,m,s,ms`` fields 2..8 -> (ns, status)."""
    try:
        year, month, day, hour, minute, second, milli = map(int, fields)
        if not (0 <= hour < 24 and 0 <= minute < 60 and 0 <= second <= 60) or not (
            0 <= milli < 1000
        ):
            return 0, _T_BAD
        days = _days_since_epoch(year, month, day)
    except (ValueError, OverflowError):
        return 0, _T_BAD
    seconds = ((days * 24 + hour) * 60 + minute) * 60 + second
    return seconds * 1_000_000_000 + milli * 1_000_000, _T_OK


def _tag_time(tag: bytes) -> tuple[int, int] | None:
    """The ``c:`` time of a tag block (without its checksum), if any."""
    for item in tag.split(b","):
        if item[:2] == b"c:":
            return _unix_ns(item[2:])
    return None


def _tag_group(tag: bytes) -> int | None:
    """The group id of a tag block's ``g:1-2-N`` or ``1G2:N`` field, if any."""
    for item in tag.split(b","):
        if item[:2] == b"g:":
            parts = item[2:].split(b"-")
            if len(parts) == 3 and all(part.isdigit() for part in parts):
                return int(parts[2])
        elif b"G" in item:
            number, _, rest = item.partition(b"G")
            total, _, ident = rest.partition(b":")
            if number.isdigit() and total.isdigit() and ident.isdigit():
                return int(ident)
    return None


# --------------------------------------------------------------------------
# Payload decoding
# --------------------------------------------------------------------------


def _decode_payload(payload: bytes, fill: int):
    """Decode one complete AIS payload with pyais.

    Returns ``(outcome, row, static)``: ``outcome`` is ``_POSITION``,
    ``_NOT_POSITION`` or ``_UNPARSABLE``; ``row`` is ``(msg_type, mmsi, lat,
    lon, sog, cog, heading, nav_status)`` for a position report (AIS codes
    kept as sent); ``static`` is ``(mmsi, name, ship_type, length, class)``
    for types 5, 19 and 24, else None.
    """
    msg_type = _ARMOR_VALUE[payload[0]]
    min_bits = _MIN_BITS.get(msg_type)
    if min_bits is None:
        outcome = _NOT_POSITION if msg_type in MSG_CLASS else _UNPARSABLE
        return outcome, None, None
    if len(payload) * 6 - fill < min_bits:
        return _UNPARSABLE, None, None
    try:
        if msg_type == 5:
            # Only the five fields used, read where pyais's MessageType5 puts
            # them: decoding all of its text fields costs several times more.
            bits = bit_vector(payload, fill)
            get, get_str, layout = bits.get, bits.get_str, _TYPE5_LAYOUT
            static = (
                get(*layout["mmsi"]),
                get_str(*layout["shipname"]),
                get(*layout["ship_type"]),
                _length(get(*layout["to_bow"]), get(*layout["to_stern"])),
                "A",
            )
            return _NOT_POSITION, None, static
        bits = bit_vector(payload, fill)
        message = MSG_CLASS[msg_type].from_vector(bits)
        if msg_type <= 3:
            mmsi, lat, lon, sog, cog, heading, status = _GET_CLASS_A(message)
            return (
                _POSITION,
                (msg_type, mmsi, lat, lon, sog, cog, heading, status),
                None,
            )
        if msg_type == 18:
            mmsi, lat, lon, sog, cog, heading = _GET_CLASS_B(message)
            return _POSITION, (18, mmsi, lat, lon, sog, cog, heading, 15), None
        if msg_type == 27:
            mmsi, lat, lon, sog, cog, status = _GET_LONG_RANGE(message)
            # Type 27 codes 'not available' as 63 kn and 511 degrees.
            sog = math.nan if sog >= 63 else sog
            cog = math.nan if cog >= 360 else cog
            return _POSITION, (27, mmsi, lat, lon, sog, cog, 511, status), None
        if msg_type == 19:
            mmsi, lat, lon, sog, cog, heading = _GET_CLASS_B(message)
            static = (
                mmsi,
                message.shipname,
                bits.get(*_TYPE19_SHIP_TYPE),  # as sent; pyais folds reserved codes
                _length(message.to_bow, message.to_stern),
                "B",
            )
            return _POSITION, (19, mmsi, lat, lon, sog, cog, heading, 15), static

        # Type 24: part A names the vessel, part B gives type and size.
        if message.partno == 0:
            static = (message.mmsi, message.shipname, 0, math.nan, "B")
        elif message.partno == 1:
            to_bow = getattr(message, "to_bow", 0)
            to_stern = getattr(message, "to_stern", 0)
            length = _length(to_bow, to_stern)
            static = (message.mmsi, "", int(message.ship_type), length, "B")
        else:
            return _UNPARSABLE, None, None
        return _NOT_POSITION, None, static
    except Exception:  # pyais raises many kinds on malformed payloads
        return _UNPARSABLE, None, None


def _field_layout(message_class, names: tuple[str, ...]) -> dict:
    """(first bit, width) of the named fields in a pyais message class."""
    layout, start = {}, 0
    for field in message_class.fields():
        width = field.metadata["width"]
        if field.name in names:
            layout[field.name] = (start, width)
        start += width
    return layout


_TYPE5_LAYOUT = _field_layout(
    MSG_CLASS[5], ("mmsi", "shipname", "ship_type", "to_bow", "to_stern")
)
_TYPE19_SHIP_TYPE = _field_layout(MSG_CLASS[19], ("ship_type",))["ship_type"]


def _length(to_bow, to_stern) -> float:
    total = (to_bow or 0) + (to_stern or 0)
    return float(total) if total > 0 else math.nan


# --------------------------------------------------------------------------
# The line parser: stateless, one block of lines at a time
# --------------------------------------------------------------------------


class _Block(typing.NamedTuple):
    """What the line parser learned about one block of lines."""

    n: int
    code: np.ndarray  # uint8, final outcome or _POSITION / _FRAGMENT
    role: np.ndarray  # uint8, _ROLE_*
    setter: tuple  # (index, ns, status) arrays: times $PGHP lines set
    tagged: tuple  # (index, ns, status): times from a tag block on the line
    column: tuple  # (index, ns, status): leading column or trailing epoch
    positions: tuple  # (index, msg_type, mmsi, lat, lon, sog, cog, heading, status)
    payloads: list  # payload bytes of each position, for relay detection
    statics: list  # (index, mmsi, name, ship_type, length, class)
    fragments: list  # (index, key, count, number, payload, fill, raw line)
    assembled: dict  # (payload, fill) -> _decode_payload result, see below


def _decode_likely_messages(fragments: list) -> dict:
    """Decode the multi-sentence messages the fragments of a block most likely
    form: runs of fragments 1..n with the same key, as sent.

    Assembly proper happens later, in file order and across blocks; this lets
    it pick up the decoded result instead of decoding in the ordered stage.
    Decoding is a pure function of (payload, fill), so the result is the same.
    """
    decoded: dict = {}
    run: list = []
    for _, key, count, number, payload, fill, _ in fragments:
        if number == 1 or not run or run[0][0] != key or len(run) != number - 1:
            run = []
        if number == len(run) + 1:
            run.append((key, payload))
        if number == count and len(run) == count:
            message = b"".join(part for _, part in run)
            decoded[message, fill] = _decode_payload(message, fill)
            run = []
    return decoded


def _time_arrays(items: list) -> tuple:
    if not items:
        return (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int8))
    index, ns, status = zip(*items, strict=True)
    return (
        np.array(index, np.int64),
        np.array(ns, np.int64),
        np.array(status, np.int8),
    )


def _parse_block(blob: bytes) -> _Block:
    """Classify, time-stamp and decode every line of ``blob``.

    Works on each line alone; whatever depends on earlier lines is left to
    :meth:`NmeaReader._consume`.
    """
    # The parser makes a few small tuples per line and frees none of them
    # until the end, which sets off the cyclic garbage collector many times
    # over for nothing; pausing it makes parsing about a third faster.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse_lines(blob)
    finally:
        if enabled:
            gc.enable()


def _parse_lines(blob: bytes) -> _Block:
    lines = blob.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    n = len(lines)
    code = bytearray(n)
    role = bytearray(n)
    setters: list = []
    tagged: list = []
    column: list = []
    checks: list = []  # (index, checked bytes, expected checksum or -1)
    singles: list = []
    fragments: list = []
    small = _SMALL
    hex_value = _HEX
    fast_match = _FAST_LINE.fullmatch
    for i, raw in enumerate(lines):
        fast = fast_match(raw)
        if fast is not None:
            # A well-formed sentence, maybe behind a tag block: one regex
            # call checks the framing; the general path below does the rest.
            (tag, tag_check, body, head, count, number, sequence, channel,
             payload, fill, check, trail) = fast.groups()  # fmt: skip
            role[i] = _ROLE_SENTENCE
            checks.append((i, body, hex_value[check]))
            if tag is not None:
                checks.append((i, tag, hex_value[tag_check]))
                k = tag.find(b"c:")
                if k == 0 or (k > 0 and tag[k - 1] == 44):
                    stop = tag.find(b",", k)
                    value = tag[k + 2 :] if stop < 0 else tag[k + 2 : stop]
                    if len(value) == 10 and value.isdigit():
                        tagged.append((i, int(value) * 1_000_000_000, _T_OK))
                    else:
                        tagged.append((i, *_unix_ns(value)))
                elif k > 0:
                    tag_time = _tag_time(tag)
                    if tag_time is not None:
                        tagged.append((i, *tag_time))
            if trail is not None:
                column.append((i, *_unix_ns(trail[1:])))
            if count == b"1":
                if number != b"1":
                    code[i] = _UNPARSABLE
                    continue
                code[i] = _POSITION
                singles.append((i, payload, fill[0] - 48))
                continue
            if number > count:
                code[i] = _UNPARSABLE
                continue
            group = None
            if tag is not None and (b"g:" in tag or b"G" in tag):
                group = _tag_group(tag)
            key = ("g", group) if group is not None else (head, channel, sequence)
            code[i] = _FRAGMENT
            fragments.append(
                (i, key, count[0] - 48, number[0] - 48, payload, fill[0] - 48, raw)
            )
            continue
        s = raw.strip()
        if not s:
            code[i] = _BLANK
            continue
        c = s[0]
        lead = None
        if c != 92 and c != 33 and c != 36:  # not '\', '!' or '$'
            if c == 35:  # '#': a comment
                code[i] = _META
                continue
            found = _LEAD_END.search(s)
            if found is None:
                code[i] = _UNPARSABLE
                continue
            lead = s[: found.start()]
            s = s[found.start() :]
            c = s[0]
        group = None
        if c == 92:  # NMEA 4.0 tag block
            end = s.find(b"\\", 1)
            if end < 0:
                code[i] = _UNPARSABLE
                continue
            tag = s[1:end]
            s = s[end + 1 :].lstrip()
            star = tag.rfind(b"*")
            if star >= 0:
                checks.append((i, tag[:star], hex_value.get(tag[star + 1 :], -1)))
                tag = tag[:star]
            # Fast path for the usual '...,c:<10 digits>,...' tag.
            k = tag.find(b"c:")
            if k == 0 or (k > 0 and tag[k - 1] == 44):
                stop = tag.find(b",", k)
                value = tag[k + 2 :] if stop < 0 else tag[k + 2 : stop]
                if len(value) == 10 and value.isdigit():
                    tag_time = (int(value) * 1_000_000_000, _T_OK)
                else:
                    tag_time = _unix_ns(value)
            elif k < 0:
                tag_time = None
            else:
                tag_time = _tag_time(tag)
            if b"g:" in tag or b"G" in tag:
                group = _tag_group(tag)
            if not s:
                code[i] = _META
                if tag_time is not None:
                    role[i] = _ROLE_SETTER
                    setters.append((i, *tag_time))
                continue
            if tag_time is not None:
                tagged.append((i, *tag_time))
            c = s[0]
        if c == 33:  # '!': an encapsulated sentence
            role[i] = _ROLE_SENTENCE
            star = s.find(b"*")
            body = s[1:star] if star >= 0 else s[1:]
            fields = body.split(b",")
            head = fields[0]
            if len(head) != 5 or not head[2:].startswith(b"VD") or head[4] not in b"MO":
                code[i] = _META if len(head) == 5 and head.isalnum() else _UNPARSABLE
                continue
            if star < 0:
                code[i] = _UNPARSABLE
                continue
            checks.append((i, body, hex_value.get(s[star + 1 : star + 3], -1)))
            if lead is not None:
                column.append((i, *_column_ns(lead)))
            elif len(s) > star + 3:
                trail = s[star + 3 :]
                if trail[0] == 44:  # ','
                    column.append((i, *_unix_ns(trail[1:].split(b",")[0])))
            if len(fields) != 7:
                code[i] = _UNPARSABLE
                continue
            count = small.get(fields[1])
            number = small.get(fields[2])
            fill = _FILL_BITS.get(fields[6])
            payload = fields[5]
            if (
                count is None
                or number is None
                or number > count
                or fill is None
                or not payload
                or payload.translate(None, _ARMOR_CHARS)
            ):
                code[i] = _UNPARSABLE
                continue
            if count == 1:
                code[i] = _POSITION
                singles.append((i, payload, fill))
                continue
            sequence = fields[3]
            if sequence and sequence not in _SEQ_ID:
                code[i] = _UNPARSABLE
                continue
            key = ("g", group) if group is not None else (head, fields[4], sequence)
            code[i] = _FRAGMENT
            fragments.append((i, key, count, number, payload, fill, raw))
        elif c == 36:  # '$': a plain sentence; $PGHP carries the receive time
            code[i] = _META
            if not s.startswith(b"$PGHP,1,"):
                continue
            role[i] = _ROLE_SETTER
            star = s.find(b"*")
            if star < 0:
                code[i] = _UNPARSABLE
                setters.append((i, 0, _T_BAD))
                continue
            checks.append((i, s[1:star], hex_value.get(s[star + 1 : star + 3], -1)))
            fields = s[1:star].split(b",")
            if len(fields) < 9:
                setters.append((i, 0, _T_BAD))
            else:
                setters.append((i, *_pghp_ns(fields[2:9])))
        else:
            code[i] = _UNPARSABLE

    # Checksums: XOR of the bytes between '!', '$' or '\' and '*', for every
    # checked part of every line at once.
    if checks:
        index, parts, expected = zip(*checks, strict=True)
        lengths = np.fromiter(map(len, parts), np.int64, len(parts))
        data = np.frombuffer(b"".join(parts), np.uint8)
        starts = np.cumsum(lengths) - lengths
        xor = np.zeros(len(parts), np.int64)
        nonempty = lengths > 0
        if nonempty.any():
            xor[nonempty] = np.bitwise_xor.reduceat(data, starts[nonempty])
        bad_lines = np.unique(np.asarray(index)[xor != np.asarray(expected)])
        for i in bad_lines.tolist():
            code[i] = _BAD_CHECKSUM
        if len(bad_lines) and setters:
            # A $PGHP time behind a bad checksum is not trusted.
            bad = set(bad_lines.tolist())
            setters = [
                (i, 0, _T_NONE) if i in bad else (i, ns, status)
                for i, ns, status in setters
            ]

    positions: list = []
    payloads: list = []
    statics: list = []
    armor = _ARMOR_VALUE
    get_class_a = _GET_CLASS_A
    get_class_b = _GET_CLASS_B
    # Relayed copies of a message repeat its payload within seconds, usually
    # in the same block; decoding is a pure function of (payload, fill).
    decoded: dict = {}
    for i, payload, fill in singles:
        if code[i] != _POSITION:
            continue
        cached = decoded.get(payload)
        if cached is not None and cached[0] == fill:
            outcome, row, static = cached[1]
        else:
            msg_type = armor[payload[0]]
            bits = len(payload) * 6 - fill
            static = None
            # Inline the commonest cases, class A and B position reports.
            try:
                if 1 <= msg_type <= 3 and bits >= 168:
                    message = MSG_CLASS[msg_type].from_vector(bit_vector(payload, fill))
                    outcome, row = _POSITION, (msg_type, *get_class_a(message))
                elif msg_type == 18 and bits >= 168:
                    message = MSG_CLASS[18].from_vector(bit_vector(payload, fill))
                    outcome, row = _POSITION, (18, *get_class_b(message), 15)
                else:
                    outcome, row, static = _decode_payload(payload, fill)
            except Exception:  # pyais raises many kinds on malformed payloads
                outcome, row = _UNPARSABLE, None
            decoded[payload] = (fill, (outcome, row, static))
        if static is not None and static[0]:
            statics.append((i, *static))
        if outcome == _POSITION:
            positions.append((i, *row))
            payloads.append(payload)
        else:
            code[i] = outcome
    fragments = [f for f in fragments if code[f[0]] == _FRAGMENT]
    return _Block(
        assembled=_decode_likely_messages(fragments),
        n=n,
        code=np.frombuffer(bytes(code), np.uint8).copy(),
        role=np.frombuffer(bytes(role), np.uint8).copy(),
        setter=_time_arrays(setters),
        tagged=_time_arrays(tagged),
        column=_time_arrays(column),
        positions=_position_arrays(positions),
        payloads=payloads,
        statics=statics,
        fragments=fragments,
    )


_POSITION_DTYPES = (
    np.int64,  # line index
    np.int8,  # msg_type
    np.int64,  # mmsi
    np.float64,  # lat
    np.float64,  # lon
    np.float32,  # sog
    np.float32,  # cog
    np.float32,  # heading
    np.int8,  # nav_status
)


def _position_arrays(rows: list) -> tuple:
    if not rows:
        return tuple(np.empty(0, dtype) for dtype in _POSITION_DTYPES)
    columns = zip(*rows, strict=True)
    return tuple(
        np.array(col, dtype)
        for col, dtype in zip(columns, _POSITION_DTYPES, strict=True)
    )


# --------------------------------------------------------------------------
# The reader: ordered, stateful part
# --------------------------------------------------------------------------


class _Partial:
    """Fragments received so far of one multi-sentence message."""

    __slots__ = (
        "count",
        "first_line",
        "lines",
        "next_number",
        "payloads",
        "raws",
        "time",
    )

    def __init__(self, line: int, count: int, payload: bytes, raw: bytes, time):
        self.first_line = line
        self.count = count
        self.next_number = 2
        self.lines = [line]
        self.payloads = [payload]
        self.raws = [raw]
        self.time = time


def _raw_text(raw: bytes) -> str:
    return raw.rstrip(b"\r\n").decode("utf-8", errors="replace")


class NmeaReader:
    """Stream an NMEA 0183 AIS file into track-table rows, accounting each line.

    Parameters
    ----------
    path : str
        The file name, used in counts, quarantine rows and error messages.
    report : FileReport
        Receives the counts: ``read`` (lines), ``accepted`` (rows yielded)
        and one reject reason per other line. After :meth:`chunks` is
        exhausted, ``read == accepted + rejected_total``.
    quarantine : Quarantine, optional
        Receives every rejected line as ``(path, line, reason, raw text)``.
    chunk_lines : int
        Lines read per yielded DataFrame (peak memory grows with this, not
        with the file).
    workers : int
        Processes decoding in parallel; 1 decodes in the calling process.
        Results are identical for any number of workers.
    relay_window_s : float
        Seconds (of receive time) within which an identical single-sentence
        position message counts as a relay of the first copy.

    Attributes
    ----------
    static : pandas.DataFrame
        After :meth:`chunks` is exhausted, one row per MMSI that sent static
        data (types 5, 19, 24): ``mmsi`` int64, ``name`` str ("" unknown),
        ``ship_type`` int16 (the AIS ship and cargo type code as sent, 0
        unknown; reserved codes are kept, not folded), ``length`` float32 (metres,
        bow + stern, NaN unknown), ``transceiver_class`` str ("A" for type 5,
        "B" for 19 and 24). Each field holds the latest non-empty value in
        file order. Sorted by MMSI.

    Examples
    --------
    >>> report = FileReport("day.nmea")  # doctest: +SKIP
    >>> reader = NmeaReader("day.nmea", report)  # doctest: +SKIP
    >>> with open("day.nmea", "rb") as stream:  # doctest: +SKIP
    ...     rows = pd.concat(reader.chunks(stream))
    """

    def __init__(
        self,
        path: str,
        report: FileReport,
        quarantine: Quarantine | None = None,
        *,
        chunk_lines: int = 500_000,
        workers: int = 1,
        relay_window_s: float = 60.0,
    ):
        if int(chunk_lines) < 1:
            raise ValueError(f"chunk_lines must be >= 1, got {chunk_lines!r}")
        if int(workers) < 1:
            raise ValueError(f"workers must be >= 1, got {workers!r}")
        if not relay_window_s >= 0:
            raise ValueError(f"relay_window_s must be >= 0, got {relay_window_s!r}")
        self.path = str(path)
        self.report = report
        self.quarantine = quarantine
        self.chunk_lines = int(chunk_lines)
        self.workers = int(workers)
        self.relay_window_s = float(relay_window_s)
        self.static = _static_frame({})

    # -- public -------------------------------------------------------------

    def chunks(self, stream: typing.BinaryIO) -> Iterator[pd.DataFrame]:
        """Yield position reports of ``stream`` as DataFrames, in file order.

        Parameters
        ----------
        stream : binary file object
            The decompressed NMEA text, read line by line.

        Yields
        ------
        pandas.DataFrame
            Columns :data:`ROW_COLUMNS`: ``mmsi`` int64, ``timestamp``
            datetime64[ns, UTC] (receive time), ``lat``, ``lon`` float64
            (degrees), ``sog`` (knots), ``cog``, ``heading`` (degrees)
            float32 with NaN for 'not available', ``nav_status`` int8 (15
            when the type has none), ``transceiver_class`` str ("A", "B",
            or "" for type 27), ``msg_type`` int8 and ``_line`` int64 (1-based
            line of the message's first sentence). One frame per
            ``chunk_lines`` lines that produced rows; a single empty frame if
            the whole file produced none.

        Raises
        ------
        InputError
            If the stream is binary, or its first lines hold no AIS sentence.
        """
        self._pending_time = (0, _T_NONE)
        self._partials: dict = {}
        self._relay: dict = {}
        self._static_fields: dict = {}
        self._sniffed = 0
        self._sentence_seen = False
        window_ns = round(self.relay_window_s * 1e9)
        parts: list = []
        lines_in_frame = 0
        yielded = False
        for first_line, blob, block in self._parsed_blocks(stream):
            self._check_start(block)
            parts.append(self._consume(first_line, blob, block, window_ns))
            lines_in_frame += block.n
            if lines_in_frame >= self.chunk_lines:
                frame = _rows_frame(parts)
                parts, lines_in_frame = [], 0
                if len(frame):
                    yielded = True
                    yield frame
        if not self._sentence_seen:
            self._raise_no_sentence()
        decided: list = []
        for key in list(self._partials):
            self._drop_partial(key, decided)
        self._account_decided(decided)
        self.static = _static_frame(self._static_fields)
        frame = _rows_frame(parts)
        if len(frame) or not yielded:
            yield frame

    # -- reading ------------------------------------------------------------

    def _blocks(self, stream) -> Iterator[tuple[int, bytes]]:
        size = min(self.chunk_lines, _BLOCK_LINES)
        first_line = 1
        while True:
            lines = list(itertools.islice(stream, size))
            if not lines:
                return
            if isinstance(lines[0], str):
                raise TypeError("NmeaReader.chunks needs a binary stream, got text")
            blob = b"".join(lines)
            if not blob.endswith(b"\n"):
                blob += b"\n"
            if first_line == 1:
                self._check_text(blob)
            yield first_line, blob
            first_line += len(lines)

    def _parsed_blocks(self, stream) -> Iterator[tuple[int, bytes, _Block]]:
        if self.workers == 1:
            for first_line, blob in self._blocks(stream):
                yield first_line, blob, _parse_block(blob)
            return
        # The platform's default start method, as for any process pool: where
        # it spawns (macOS, Windows, Python >= 3.14), callers need the usual
        # `if __name__ == "__main__":` guard in scripts.
        pool = concurrent.futures.ProcessPoolExecutor(max_workers=self.workers)
        try:
            waiting: collections.deque = collections.deque()
            for first_line, blob in self._blocks(stream):
                waiting.append((first_line, blob, pool.submit(_parse_block, blob)))
                if len(waiting) > 2 * self.workers:
                    first, data, future = waiting.popleft()
                    yield first, data, future.result()
            while waiting:
                first, data, future = waiting.popleft()
                yield first, data, future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _check_text(self, blob: bytes) -> None:
        """Refuse a file whose first bytes are binary rather than text."""
        head = blob[:_SNIFF_BYTES]
        controls = sum(head.count(bytes([b])) for b in (*range(9), *range(14, 32)))
        if b"\x00" in head or controls > len(head) // 10:
            bad = next(k for k, b in enumerate(head) if b < 9 or 13 < b < 32)
            raise InputError(
                self.path,
                "binary data, not NMEA text (is it compressed or another format?)",
                line=head[:bad].count(b"\n") + 1,
            )

    def _check_start(self, block: _Block) -> None:
        """Refuse a file whose first lines hold no AIS sentence."""
        if self._sentence_seen or self._sniffed >= _SNIFF_LINES:
            return
        take = min(block.n, _SNIFF_LINES - self._sniffed)
        sentence = (block.role[:take] == _ROLE_SENTENCE) & (block.code[:take] != _META)
        self._sentence_seen = bool(sentence.any())
        self._sniffed += take
        if not self._sentence_seen and self._sniffed >= _SNIFF_LINES:
            self._raise_no_sentence()

    def _raise_no_sentence(self) -> None:
        if self._sniffed == 0:
            raise InputError(self.path, "empty file, no NMEA AIS sentence")
        raise InputError(
            self.path,
            f"no NMEA AIS sentence (!xxVDM or !xxVDO) in the first "
            f"{self._sniffed} line(s); is this an NMEA file?",
        )

    # -- ordered processing of one parsed block -----------------------------

    def _resolve_times(self, block: _Block) -> tuple[np.ndarray, np.ndarray]:
        """Receive time of every line, by the priority in the module docstring."""
        n = block.n
        t_ns = np.zeros(n, np.int64)
        t_status = np.zeros(n, np.int8)
        index, ns, status = block.column
        t_ns[index], t_status[index] = ns, status
        events = np.flatnonzero(block.role)
        if len(events):
            set_ns = np.zeros(n, np.int64)
            set_status = np.zeros(n, np.int8)
            index, ns, status = block.setter
            set_ns[index], set_status[index] = ns, status
            previous = np.empty(len(events), np.int64)
            previous[0] = -1
            previous[1:] = events[:-1]
            is_sentence = block.role[events] == _ROLE_SENTENCE
            sentences = events[is_sentence]
            before = previous[is_sentence]
            safe = np.maximum(before, 0)
            carry_ns, carry_status = self._pending_time
            pend_ns = np.where(before >= 0, set_ns[safe], carry_ns)
            pend_status = np.where(before >= 0, set_status[safe], carry_status)
            use = pend_status != _T_NONE
            t_ns[sentences[use]] = pend_ns[use]
            t_status[sentences[use]] = pend_status[use]
            last = events[-1]
            if block.role[last] == _ROLE_SETTER:
                self._pending_time = (int(set_ns[last]), int(set_status[last]))
            else:
                self._pending_time = (0, _T_NONE)
        index, ns, status = block.tagged
        t_ns[index], t_status[index] = ns, status
        return t_ns, t_status

    def _consume(self, first_line: int, blob: bytes, block: _Block, window_ns: int):
        code = block.code
        t_ns, t_status = self._resolve_times(block)
        index, msg_type, mmsi, lat, lon, sog, cog, heading, status = block.positions
        times = t_ns[index]
        outcome = _check_positions(mmsi, lat, lon, t_status[index])
        self._mark_relays(outcome, block.payloads, times, window_ns)
        code[index] = outcome
        for i, *static in block.statics:
            self._update_static(first_line + i, *static)

        decided: list = []
        multi_rows: list = []
        for i, key, count, number, payload, fill, raw in block.fragments:
            self._add_fragment(
                first_line + i,
                key,
                count,
                number,
                payload,
                fill,
                raw,
                (int(t_ns[i]), int(t_status[i])),
                block.assembled,
                decided,
                multi_rows,
            )
        last_line = first_line + block.n - 1
        for key, partial in list(self._partials.items()):
            if last_line - partial.first_line > MULTIPART_MAX_SPAN:
                self._drop_partial(key, decided)

        # Fragments are counted through `decided`, now or in a later block.
        counted = code != _FRAGMENT
        counts = np.bincount(code[counted], minlength=len(_OUTCOMES))
        if len(counts) > len(_OUTCOMES):  # a line left undecided: a bug
            raise CoastwatchError(f"{self.path}: internal error, undecided line")
        self.report.read += block.n
        self.report.accepted += int(counts[_ACCEPTED])
        for reason in range(1, len(_OUTCOMES)):
            self.report.reject(_OUTCOMES[reason], int(counts[reason]))
        if self.quarantine is not None:
            rejected = np.flatnonzero(counted & (code != _ACCEPTED))
            if len(rejected):
                lines = blob.split(b"\n")
                for i in rejected.tolist():
                    self.quarantine.add(
                        self.path,
                        first_line + i,
                        _OUTCOMES[code[i]],
                        _raw_text(lines[i]),
                    )
        self._account_decided(decided)

        keep = outcome == _ACCEPTED
        rows = [
            first_line + index[keep],
            times[keep],
            msg_type[keep],
            mmsi[keep],
            lat[keep],
            lon[keep],
            sog[keep],
            cog[keep],
            heading[keep],
            status[keep],
        ]
        if multi_rows:
            extra = list(zip(*multi_rows, strict=True))
            rows = [
                np.concatenate([col, np.array(more, col.dtype)])
                for col, more in zip(rows, extra, strict=True)
            ]
            order = np.argsort(rows[0], kind="stable")
            rows = [col[order] for col in rows]
        return rows

    def _mark_relays(self, outcome, payloads, times, window_ns) -> None:
        seen = self._relay
        candidates = np.flatnonzero(outcome == _ACCEPTED)
        get = seen.get
        duplicates = []
        for j, t in zip(candidates.tolist(), times[candidates].tolist(), strict=True):
            payload = payloads[j]
            first = get(payload)
            if first is not None and -window_ns <= t - first <= window_ns:
                duplicates.append(j)
            else:
                seen[payload] = t
        outcome[duplicates] = _DUPLICATE
        if len(seen) > _RELAY_KEEP and len(candidates):
            # Forget copies older than two windows before this block's median
            # time; the median keeps a stray far-future time from purging all.
            cutoff = int(np.median(times[candidates])) - 2 * window_ns
            self._relay = {p: t for p, t in seen.items() if t >= cutoff}

    def _update_static(self, line, mmsi, name, ship_type, length, klass) -> None:
        entry = self._static_fields.get(mmsi)
        if entry is None:
            entry = self._static_fields[mmsi] = ["", -1, 0, -1, math.nan, -1, "", -1]
        if name and line > entry[1]:
            entry[0], entry[1] = name, line
        if ship_type and line > entry[3]:
            entry[2], entry[3] = ship_type, line
        if length == length and line > entry[5]:
            entry[4], entry[5] = length, line
        if klass and line > entry[7]:
            entry[6], entry[7] = klass, line

    # -- multi-sentence messages ---------------------------------------------

    def _add_fragment(
        self,
        line,
        key,
        count,
        number,
        payload,
        fill,
        raw,
        time,
        assembled,
        decided,
        rows,
    ) -> None:
        partial = self._partials.get(key)
        if partial is not None and line - partial.first_line > MULTIPART_MAX_SPAN:
            self._drop_partial(key, decided)
            partial = None
        if number == 1:
            if partial is not None:
                self._drop_partial(key, decided)
            self._partials[key] = _Partial(line, count, payload, raw, time)
            return
        if partial is None or partial.count != count or partial.next_number != number:
            if partial is not None:
                self._drop_partial(key, decided)
            decided.append((line, _INCOMPLETE, raw))
            return
        partial.lines.append(line)
        partial.payloads.append(payload)
        partial.raws.append(raw)
        partial.next_number += 1
        if number < count:
            return
        del self._partials[key]
        message = b"".join(partial.payloads)
        result = assembled.get((message, fill))
        if result is None:
            result = _decode_payload(message, fill)
        outcome, row, static = result
        first = partial.first_line
        if static is not None and static[0]:
            self._update_static(first, *static)
        if outcome == _POSITION:
            t_ns, t_status = partial.time
            outcome = int(
                _check_positions(
                    np.array([row[1]], np.int64),
                    np.array([row[2]], np.float64),
                    np.array([row[3]], np.float64),
                    np.array([t_status], np.int8),
                )[0]
            )
            if outcome == _ACCEPTED:
                rows.append((first, t_ns, *row))
        decided.append((first, outcome, partial.raws[0]))
        for other, other_raw in zip(partial.lines[1:], partial.raws[1:], strict=True):
            decided.append((other, _CONTINUATION, other_raw))

    def _drop_partial(self, key, decided: list) -> None:
        partial = self._partials.pop(key)
        for line, raw in zip(partial.lines, partial.raws, strict=True):
            decided.append((line, _INCOMPLETE, raw))

    def _account_decided(self, decided: list) -> None:
        counts = collections.Counter(outcome for _, outcome, _ in decided)
        self.report.accepted += counts.pop(_ACCEPTED, 0)
        for outcome, count in sorted(counts.items()):
            self.report.reject(_OUTCOMES[outcome], count)
        if self.quarantine is not None:
            for line, outcome, raw in decided:
                if outcome != _ACCEPTED:
                    reason = _OUTCOMES[outcome]
                    self.quarantine.add(self.path, line, reason, _raw_text(raw))


# Relay memory is trimmed once it holds more payloads than this.
_RELAY_KEEP = 50_000


def _check_positions(mmsi, lat, lon, t_status) -> np.ndarray:
    """Outcome of each decoded position report before relay detection."""
    outcome = np.zeros(len(mmsi), np.uint8)
    outcome[t_status == _T_BAD] = _TIME_BAD
    outcome[t_status == _T_NONE] = _TIME_MISSING
    not_available = (lat == 91.0) | (lon == 181.0)
    outcome[~not_available & ((np.abs(lat) > 90) | (np.abs(lon) > 180))] = _POS_RANGE
    outcome[not_available] = _POS_NA
    outcome[mmsi == 0] = _MMSI_ZERO
    return outcome


# Dtypes of the per-block row arrays: line, time (ns), then as _POSITION_DTYPES.
_ROW_DTYPES = (np.int64, np.int64, *_POSITION_DTYPES[1:])
_CLASS_LOOKUP = np.array([_CLASS_OF_TYPE.get(t, "") for t in range(64)], dtype=object)


def _rows_frame(parts: list) -> pd.DataFrame:
    """Concatenate per-block row arrays into one track-row DataFrame."""
    if parts:
        columns = [np.concatenate(col) for col in zip(*parts, strict=True)]
    else:
        columns = [np.empty(0, dtype) for dtype in _ROW_DTYPES]
    line, t_ns, msg_type, mmsi, lat, lon, sog, cog, heading, status = columns
    # AIS 'not available': 102.3 kn, 360 degrees (course), 511 (heading).
    sog[sog >= np.float32(102.25)] = np.nan
    cog[cog >= 360] = np.nan
    heading[heading >= 360] = np.nan
    return pd.DataFrame(
        {
            "mmsi": mmsi,
            "timestamp": pd.DatetimeIndex(t_ns.view("datetime64[ns]")).tz_localize(
                "UTC"
            ),
            "lat": lat,
            "lon": lon,
            "sog": sog,
            "cog": cog,
            "heading": heading,
            "nav_status": status,
            "transceiver_class": pd.array(
                _CLASS_LOOKUP[msg_type.astype(np.intp)], dtype="str"
            ),
            "msg_type": msg_type,
            "_line": line,
        },
        copy=False,
    )


def _static_frame(fields: dict) -> pd.DataFrame:
    mmsi = np.array(sorted(fields), np.int64)
    entries = [fields[m] for m in mmsi.tolist()]
    return pd.DataFrame(
        {
            "mmsi": mmsi,
            "name": pd.array([e[0] for e in entries], dtype="str"),
            "ship_type": np.array([e[2] for e in entries], np.int16),
            "length": np.array([e[4] for e in entries], np.float32),
            "transceiver_class": pd.array([e[6] for e in entries], dtype="str"),
        }
    )
