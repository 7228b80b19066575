"""Tests of coastwatch.nmea: NMEA 0183 AIS lines into track rows, every line counted."""

from __future__ import annotations

import functools
import gzip
import io
import itertools
import math
import operator
import re

import numpy as np
import pandas as pd
import pytest
from pyais import decode as pyais_decode
from pyais.constants import ShipType
from pyais.encode import encode_dict

from coastwatch.accounting import REJECT_REASONS, FileReport, Quarantine
from coastwatch.errors import InputError
from coastwatch.nmea import (
    MULTIPART_MAX_SPAN,
    ROW_COLUMNS,
    STATIC_COLUMNS,
    NmeaReader,
    looks_like_nmea,
)

T0 = 1_733_782_034  # 2024-12-09T22:07:14Z
NS = 1_000_000_000


# ---------------------------------------------------------------------------
# builders
# ---------------------------------------------------------------------------


def checksum(body: str) -> str:
    return f"{functools.reduce(operator.xor, body.encode(), 0):02X}"


def sentence(payload: str, fill: int = 0, count=1, number=1, seq="", channel="A"):
    body = f"AIVDM,{count},{number},{seq},{channel},{payload},{fill}"
    return f"!{body}*{checksum(body)}"


def tag(**fields) -> str:
    body = ",".join(f"{key}:{value}" for key, value in fields.items())
    return f"\\{body}*{checksum(body)}\\"


def pghp(year, month, day, hour, minute, second, milli) -> str:
    body = f"PGHP,1,{year},{month},{day},{hour},{minute},{second},{milli},219,,1,1,00"
    return f"${body}*{checksum(body)}"


def encode(seq_id=None, **data) -> list[str]:
    return encode_dict(data, sentence_type="VDM", seq_id=seq_id)


def position(mmsi=463000001, lat=25.1, lon=62.3, msg_type=1, **fields) -> str:
    data = {"type": msg_type, "mmsi": mmsi, "lat": lat, "lon": lon}
    if msg_type in (1, 2, 3):
        data |= {"speed": 5.5, "course": 123.4, "heading": 120, "status": 7}
    data |= fields
    (line,) = encode(**data)
    return line


def static5(mmsi=463000001, name="AL NOOR", ship_type=30, bow=12, stern=8, seq=3):
    return encode(
        seq_id=seq,
        type=5,
        mmsi=mmsi,
        shipname=name,
        ship_type=ship_type,
        to_bow=bow,
        to_stern=stern,
    )


def read(text: str | bytes, quarantine=None, **options):
    """Read NMEA text; return (rows, report, reader)."""
    data = text.encode() if isinstance(text, str) else text
    report = FileReport("test.nmea")
    reader = NmeaReader("test.nmea", report, quarantine, **options)
    frames = list(reader.chunks(io.BytesIO(data)))
    rows = pd.concat(frames, ignore_index=True)
    assert report.read == report.accepted + report.rejected_total
    assert report.accepted == len(rows)
    return rows, report, reader


def lines(*items: str) -> str:
    return "\n".join(items) + "\n"


def with_time(line: str, t: int = T0) -> str:
    return tag(c=t) + line


# ---------------------------------------------------------------------------
# real files
# ---------------------------------------------------------------------------

# Expected line accounting of each real file. Each sum is checked against the
# file's line count, and the numbers against ais_real/PROVENANCE.md:
REAL_COUNTS = {
    # 80,246 lines = 27,050 $PGHP + 26,077 \si: tag lines + 967 $PSTT + 6 $PFEC
    # (metadata 54,100) + 26,146 sentences. The sentences are 26,077 messages
    # (types 1, 3, 18 = 24,688 positions; 4, 5, 24, 21 = 1,389 others) plus the
    # 69 second halves of type 5. All 24,688 position reports are accepted:
    # this is the network's merged output, one copy per transmission, so the
    # relay check finds none, and none has a bad position or MMSI.
    "nmea/dma_network_20131112T1200Z_5min.nmea.gz": {
        "read": 80_246,
        "accepted": 24_688,
        "metadata_line": 54_100,
        "not_position_report": 1_389,
        "multipart_continuation": 69,
    },
    # 8,551 lines = 4,051 $PGHP + 4,500 sentences (4,051 messages + 449 later
    # parts). Of the messages, 2,988 are position reports: the 2,965 that
    # PROVENANCE.md counts as position reports, 22 at lat 91 / lon 181 and one
    # from MMSI 0.
    "nmea/dma_aislib_20100611T1146Z_30s.nmea.gz": {
        "read": 8_551,
        "accepted": 2_965,
        "metadata_line": 4_051,
        "not_position_report": 1_063,
        "multipart_continuation": 449,
        "position_not_available": 22,
        "mmsi_zero": 1,
    },
    # 223 lines = 196 messages + 27 later parts; 146 position reports, of which
    # 10 are on the 26 lines without a tag block and so have no receive time.
    "nmea/kystverket_20241209T2207Z_5s_tagblock.nmea.gz": {
        "read": 223,
        "accepted": 136,
        "not_position_report": 50,
        "multipart_continuation": 27,
        "time_missing": 10,
    },
    # The labelled files repeat each report through several sources (AISD,
    # IALA, AISSAT, MSSIS): the position reports PROVENANCE.md counts are the
    # accepted ones plus the relayed copies (5,029 = 916 + 4,113;
    # 2,563 = 901 + 1,662; 59 = 20 + 39).
    "labelled/dma_aisabnormal_538004030_drift_20140928.nmea.gz": {
        "read": 16_104,
        "accepted": 916,
        "duplicate_relay": 4_113,
        "metadata_line": 10_629,
        "not_position_report": 223,
        "multipart_continuation": 223,
    },
    "labelled/dma_aisabnormal_212123000_nodrift_20141002.nmea.gz": {
        "read": 10_018,
        "accepted": 901,
        "duplicate_relay": 1_662,
        "metadata_line": 6_326,
        "not_position_report": 567,
        "multipart_continuation": 562,
    },
    "labelled/dma_aisabnormal_219165000_speedchange_20141005.nmea.gz": {
        "read": 249,
        "accepted": 20,
        "duplicate_relay": 39,
        "metadata_line": 160,
        "not_position_report": 21,
        "multipart_continuation": 9,
    },
}


def read_real(ais_real, name: str, workers: int = 1):
    return _read_real(str(ais_real / name), workers)


@functools.cache
def _read_real(path: str, workers: int):
    report = FileReport(path)
    quarantine = Quarantine()
    reader = NmeaReader(path, report, quarantine, workers=workers)
    with gzip.open(path) as stream:
        rows = pd.concat(list(reader.chunks(stream)), ignore_index=True)
    with gzip.open(path) as stream:
        raw_lines = stream.read().split(b"\n")
    if raw_lines[-1] == b"":
        raw_lines.pop()
    return rows, report, quarantine, reader, raw_lines


def real_line(raw_lines, line_no: int) -> str:
    return raw_lines[line_no - 1].decode().rstrip("\r")


def test_every_real_nmea_file_is_covered(ais_real):
    names = {
        str(p.relative_to(ais_real))
        for pattern in ("nmea/*.gz", "labelled/*.nmea.gz")
        for p in ais_real.glob(pattern)
    }
    assert names == set(REAL_COUNTS)


@pytest.mark.parametrize("name", sorted(REAL_COUNTS))
def test_real_file_accounting(ais_real, name):
    rows, report, quarantine, _, raw_lines = read_real(ais_real, name)
    expected = dict(REAL_COUNTS[name])
    assert report.read == expected.pop("read") == len(raw_lines)
    assert report.accepted == expected.pop("accepted") == len(rows)
    assert dict(report.rejected) == expected
    assert report.read == report.accepted + report.rejected_total
    # The quarantine holds every rejected line, with its text and number.
    assert len(quarantine.rows) == report.rejected_total
    for _, line_no, reason, raw in quarantine.rows[
        :: max(1, len(quarantine.rows) // 200)
    ]:
        assert raw == real_line(raw_lines, line_no)
        assert reason in REJECT_REASONS
    # Each accepted row points at its own sentence, which pyais decodes to the
    # same values.
    for row in rows.iloc[:: max(1, len(rows) // 50)].itertuples():
        text = real_line(raw_lines, row._11)
        check_against_pyais(row, text[text.index("!") :])
    assert rows.dtypes.to_dict() == {
        "mmsi": np.dtype("int64"),
        "timestamp": pd.DatetimeTZDtype("ns", "UTC"),
        "lat": np.dtype("float64"),
        "lon": np.dtype("float64"),
        "sog": np.dtype("float32"),
        "cog": np.dtype("float32"),
        "heading": np.dtype("float32"),
        "nav_status": np.dtype("int8"),
        "transceiver_class": pd.StringDtype(na_value=np.nan),
        "msg_type": np.dtype("int8"),
        "_line": np.dtype("int64"),
    }
    assert list(rows.columns) == list(ROW_COLUMNS)
    assert rows["_line"].is_monotonic_increasing


def check_against_pyais(row, text: str) -> None:
    """A row holds what pyais decodes from its sentence (all fields)."""
    message = pyais_decode(re.sub(r"(\*[0-9A-Fa-f]{2}),\d+$", r"\1", text))
    assert row.msg_type == message.msg_type
    assert row.mmsi == message.mmsi
    assert row.lat == message.lat and row.lon == message.lon
    not_available = {"speed": 102.3, "course": 360.0, "heading": 511}
    for column, field in (("sog", "speed"), ("cog", "course"), ("heading", "heading")):
        value = getattr(row, column)
        sent = getattr(message, field)
        if sent >= not_available[field] - 0.01:
            assert math.isnan(value)
        else:
            assert value == pytest.approx(sent, abs=1e-4)
    assert row.nav_status == int(getattr(message, "status", 15))


def row_at(rows, line_no):
    (row,) = rows[rows["_line"] == line_no].itertuples(index=False)
    return row


def check_row(row, mmsi, time, lat, lon, sog, cog, heading, status, msg_type):
    """Compare a row with values written down by hand."""
    assert row.mmsi == mmsi
    assert row.timestamp == pd.Timestamp(time)
    assert row.lat == pytest.approx(lat, abs=1e-6)
    assert row.lon == pytest.approx(lon, abs=1e-6)
    for got, want in ((row.sog, sog), (row.cog, cog), (row.heading, heading)):
        if want is None:
            assert math.isnan(got)
        else:
            assert got == pytest.approx(want, abs=1e-4)
    assert row.nav_status == status
    assert row.msg_type == msg_type


def test_real_kystverket_times_from_tag_blocks(ais_real):
    rows, _, quarantine, reader, raw_lines = read_real(
        ais_real, "nmea/kystverket_20241209T2207Z_5s_tagblock.nmea.gz"
    )
    # \s:2573238,c:1733782034*0A\!BSVDM,1,1,,A,13o4g`00000I2ENRH4g83S0L088C,0*3F
    check_row(row_at(rows, 1), 259076000, "2024-12-09T22:07:14Z",
              60.076687, 5.469305, 0.0, 206.2, 96, 0, 1)  # fmt: skip
    # \s:2573515,c:1733782034*02\!BSVDM,1,1,,A,344e>40si312t6TWq:M`d7@L0BwC,0*47
    row = row_at(rows, 4)
    assert (row.mmsi, row.msg_type, row.transceiver_class) == (273370640, 3, "A")
    assert row.sog == pytest.approx(6.7) and row.heading == 232
    # Every accepted row's time is the c: of its own tag block.
    for row in rows.itertuples():
        text = real_line(raw_lines, row._11)
        stamp = int(text.split("c:")[1].split("*")[0].split(",")[0])
        assert row.timestamp.value == stamp * NS
    # Line 5 has no tag block: a position report without any receive time.
    assert any(r[1] == 5 and r[2] == "time_missing" for r in quarantine.rows)
    # Lines 121-122 are a type 5 tied by the '1G2:58944' group form.
    first, second = real_line(raw_lines, 121), real_line(raw_lines, 122)
    assert "1G2:58944" in first and "2G2:58944" in second
    message = pyais_decode(first.split("\\")[2], second.split("\\")[2])
    static = reader.static.set_index("mmsi").loc[message.mmsi]
    assert static["name"] == message.shipname
    assert static["ship_type"] == int(message.ship_type)
    assert static["transceiver_class"] == "A"


def test_real_dma_network_times_from_pghp(ais_real):
    rows, _, _, reader, raw_lines = read_real(
        ais_real, "nmea/dma_network_20131112T1200Z_5min.nmea.gz"
    )
    assert real_line(raw_lines, 2).startswith("$PGHP,1,2013,11,12,12,0,0,11,")
    check_row(row_at(rows, 3), 218278000, "2013-11-12T12:00:00.011Z",
              54.350027, 9.767893, 9.4, 230.2, 230, 0, 1)  # fmt: skip
    assert row_at(rows, 6).timestamp == pd.Timestamp("2013-11-12T12:00:00.026Z")
    assert rows["timestamp"].min() == pd.Timestamp("2013-11-12T12:00:00.011Z")
    assert rows["timestamp"].max() == pd.Timestamp("2013-11-12T12:04:59.979Z")
    assert rows["mmsi"].nunique() == 1438  # as PROVENANCE.md states
    assert (
        rows["lon"].between(7.5, 16.16).all() and rows["lat"].between(54.09, 58).all()
    )
    assert rows["msg_type"].value_counts().to_dict() == {1: 20044, 3: 4151, 18: 493}
    # Class B rows (type 18) carry no navigational status.
    assert (rows.loc[rows["msg_type"] == 18, "nav_status"] == 15).all()
    assert (rows.loc[rows["msg_type"] == 18, "transceiver_class"] == "B").all()
    # Static data: 69 type 5 and 61 type 24 messages, one row per MMSI.
    assert reader.static["mmsi"].is_unique
    assert list(reader.static.columns) == list(STATIC_COLUMNS)
    assert len(reader.static) == 122


def test_real_dma_aislib_rows(ais_real):
    rows, _, quarantine, _, raw_lines = read_real(
        ais_real, "nmea/dma_aislib_20100611T1146Z_30s.nmea.gz"
    )
    # $PGHP,1,2010,6,11,11,46,12,451,... then !AIVDM,1,1,,A,33nr7t001f13KNTOahh2@QpF00vh
    assert real_line(raw_lines, 5).startswith("$PGHP,1,2010,6,11,11,46,12,451,")
    check_row(row_at(rows, 6), 258902000, "2010-06-11T11:46:12.451Z",
              55.3168, 14.730163, 11.0, 57.8, 60, 0, 3)  # fmt: skip
    reasons = {(r[1], r[2]) for r in quarantine.rows}
    assert (5, "metadata_line") in reasons
    # The 22 position reports at 91/181 are those pyais decodes so.
    for _, _, reason, raw in quarantine.rows:
        if reason == "position_not_available":
            message = pyais_decode(raw)
            assert message.lat == 91 or message.lon == 181
        if reason == "mmsi_zero":
            assert pyais_decode(raw).mmsi == 0


def test_real_labelled_files(ais_real):
    rows, _, quarantine, reader, raw_lines = read_real(
        ais_real, "labelled/dma_aisabnormal_219165000_speedchange_20141005.nmea.gz"
    )
    # Line 2 comes through MSSIS: its time is the epoch after the checksum.
    assert real_line(raw_lines, 2).endswith(",0*51,1412524603")
    check_row(row_at(rows, 2), 219165000, "2014-10-05T15:56:43Z",
              54.459217, 15.935917, 0.1, 9.0, 71, 1, 3)  # fmt: skip
    assert rows["mmsi"].unique().tolist() == [219165000]
    assert reader.static.loc[0, "name"] == "LOTUS"

    rows, _, quarantine, reader, raw_lines = read_real(
        ais_real, "labelled/dma_aisabnormal_538004030_drift_20140928.nmea.gz"
    )
    check_row(row_at(rows, 3), 538004030, "2014-09-28T16:00:04.684Z",
              57.802943, 11.368557, 3.5, 346.7, 320, 0, 1)  # fmt: skip
    # Lines 6, 9, 12 and 15 relay line 3's payload within the minute.
    relayed = {r[1] for r in quarantine.rows if r[2] == "duplicate_relay"}
    assert {6, 9, 12, 15} <= relayed
    payload = real_line(raw_lines, 3).split(",")[5]
    for line_no in (6, 9, 12, 15):
        assert real_line(raw_lines, line_no).split(",")[5] == payload
    static = reader.static.set_index("mmsi").loc[538004030]
    assert (static["name"], static["length"]) == ("FRIO", 274.0)
    # The drift event DMA's test expects starts at 16:50:04.556Z; the data
    # around it must be there.
    assert (rows["timestamp"] <= pd.Timestamp("2014-09-28T16:50:04.556Z")).sum() > 100

    rows, *_ = read_real(
        ais_real, "labelled/dma_aisabnormal_212123000_nodrift_20141002.nmea.gz"
    )
    check_row(row_at(rows, 3), 212123000, "2014-10-02T16:30:03.887Z",
              55.560315, 15.255965, 7.7, 60.4, 60, 0, 1)  # fmt: skip


def test_workers_give_identical_results_on_real_file(ais_real):
    name = "labelled/dma_aisabnormal_538004030_drift_20140928.nmea.gz"
    rows1, report1, quarantine1, reader1, _ = read_real(ais_real, name, workers=1)
    rows2, report2, quarantine2, reader2, _ = read_real(ais_real, name, workers=2)
    pd.testing.assert_frame_equal(rows1, rows2)
    pd.testing.assert_frame_equal(reader1.static, reader2.static)
    assert report1.to_dict() == report2.to_dict()
    assert quarantine1.rows == quarantine2.rows


# ---------------------------------------------------------------------------
# every reason, counted exactly, and the quarantine
# ---------------------------------------------------------------------------


def test_every_reason_counted_exactly_with_quarantine():
    type5 = static5()
    good = position(mmsi=463000010)
    bad_checksum = good[:-2] + ("00" if not good.endswith("00") else "01")
    body = "AIVDM,1,1,,A,13o4g`00~~000I2ENRH4g83S0L088C,0"
    short_body = "AIVDM,1,1,,A,13o4g`00000I2ENR,0"
    undefined_type = "AIVDM,1,1,,A,`3o4g`00000I2ENRH4g83S0L088C,0"
    text = [
        with_time(good),  # 1 accepted
        "",  # 2 blank_line
        "   \r",  # 3 blank_line
        pghp(2024, 12, 9, 22, 7, 14, 0),  # 4 metadata_line (sets time of 5)
        position(mmsi=463000011),  # 5 accepted, time from line 4
        "\\si:AISD*3F\\",  # 6 metadata_line
        "$PSTT,30A,20131112,120000*6D",  # 7 metadata_line
        "# a comment",  # 8 metadata_line
        with_time(bad_checksum),  # 9 bad_checksum
        "hello, world",  # 10 unparsable
        with_time("!AIVDM,1,1,,A,13o4g`00000I2EN"),  # 11 unparsable: truncated
        with_time(f"!{body}*{checksum(body)}"),  # 12 unparsable: '~' in payload
        with_time(f"!{short_body}*{checksum(short_body)}"),  # 13 unparsable: short
        with_time(f"!{undefined_type}*{checksum(undefined_type)}"),  # 14 type 40
        with_time(type5[1]),  # 15 incomplete_multipart: part 2 alone
        with_time(type5[0]),  # 16 not_position_report (type 5)
        with_time(type5[1]),  # 17 multipart_continuation
        with_time(encode(type=4, mmsi=4630001)[0]),  # 18 not_position_report
        with_time(position(mmsi=0)),  # 19 mmsi_zero
        with_time(position(lat=91, lon=181)),  # 20 position_not_available
        with_time(position(lat=25, lon=181)),  # 21 position_not_available
        with_time(position(lat=95, lon=62)),  # 22 position_out_of_range
        with_time(position(lat=25, lon=-185)),  # 23 position_out_of_range
        position(mmsi=463000012),  # 24 time_missing
        tag(c="17337820x4") + position(mmsi=463000013),  # 25 time_unparsable
        "notatime," + position(mmsi=463000014),  # 26 time_unparsable
        with_time(good, T0 + 5),  # 27 duplicate_relay of line 1
        with_time(type5[0]),  # 28 incomplete_multipart: part 2 never comes
    ]
    quarantine = Quarantine()
    rows, report, _ = read("\n".join(text) + "\n", quarantine)
    assert rows["_line"].tolist() == [1, 5]
    assert rows["mmsi"].tolist() == [463000010, 463000011]
    # Line 5 takes its time from the $PGHP line before it.
    assert rows["timestamp"].tolist() == [pd.Timestamp(T0 * NS, tz="UTC")] * 2
    assert report.read == 28 and report.accepted == 2
    assert dict(report.rejected) == {
        "blank_line": 2,
        "metadata_line": 4,
        "bad_checksum": 1,
        "unparsable": 5,
        "incomplete_multipart": 2,
        "not_position_report": 2,
        "multipart_continuation": 1,
        "mmsi_zero": 1,
        "position_not_available": 2,
        "position_out_of_range": 2,
        "time_missing": 1,
        "time_unparsable": 2,
        "duplicate_relay": 1,
    }
    expected_reasons = {
        2: "blank_line",
        3: "blank_line",
        4: "metadata_line",
        6: "metadata_line",
        7: "metadata_line",
        8: "metadata_line",
        9: "bad_checksum",
        10: "unparsable",
        11: "unparsable",
        12: "unparsable",
        13: "unparsable",
        14: "unparsable",
        15: "incomplete_multipart",
        16: "not_position_report",
        17: "multipart_continuation",
        18: "not_position_report",
        19: "mmsi_zero",
        20: "position_not_available",
        21: "position_not_available",
        22: "position_out_of_range",
        23: "position_out_of_range",
        24: "time_missing",
        25: "time_unparsable",
        26: "time_unparsable",
        27: "duplicate_relay",
        28: "incomplete_multipart",
    }
    got = {line: reason for _, line, reason, _ in quarantine.rows}
    assert got == expected_reasons
    for path, line, _, raw in quarantine.rows:
        assert path == "test.nmea"
        assert raw == text[line - 1].rstrip("\r")


def test_every_reason_used_is_a_known_reason():
    assert REJECT_REASONS["multipart_continuation"][0] == "skipped"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("\\s:1,c:1733782034*00\\" + position(), "bad_checksum"),  # tag checksum
        (pghp(2024, 12, 9, 22, 7, 14, 0)[:-2] + "00", "bad_checksum"),
        ("\\si:AISD*00\\", "bad_checksum"),
        ("!AIVDM,1,1,,A", "unparsable"),
        ("\\unterminated tag", "unparsable"),
        ("!AIVDM,1,2,,A,13o4g`00000I2ENRH4g83S0L088C,0*00", "bad_checksum"),
        ("!AIALR,1,2,3*00", "metadata_line"),
        ("$GPGGA,1,2,3*00", "metadata_line"),
        ("!!!", "unparsable"),
    ],
)
def test_single_bad_lines(line, reason):
    # A good sentence keeps the file recognisable as NMEA.
    text = lines(with_time(position(mmsi=463000099)), line)
    _, report, _ = read(text)
    assert report.accepted == 1
    assert dict(report.rejected) == {reason: 1}


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ("2,3,,A,13o4g`00000I2ENRH4g83S0L088C,0", "unparsable"),  # number > count
        ("1,1,,A,13o4g`00000I2ENRH4g83S0L088C,7", "unparsable"),  # fill > 5
        ("1,1,,A,,0", "unparsable"),  # no payload
        ("x,1,,A,13o4g`00000I2ENRH4g83S0L088C,0", "unparsable"),
        ("1,1,,A,13o4g`00000I2ENRH4g83S0L088C,0,extra", "unparsable"),
        ("2,1,x,A,56qSAh@00000,0", "unparsable"),  # bad sequence id
        ("1,2,,A,13o4g`00000I2ENRH4g83S0L088C,0", "unparsable"),
    ],
)
def test_bad_sentence_fields(fields, reason):
    body = f"AIVDM,{fields}"
    text = lines(with_time(position()), with_time(f"!{body}*{checksum(body)}"))
    _, report, _ = read(text)
    assert dict(report.rejected) == {reason: 1}


# ---------------------------------------------------------------------------
# decoded values
# ---------------------------------------------------------------------------


def test_decoded_fields_and_not_available_codes():
    text = lines(
        with_time(position(msg_type=1, speed=102.3, course=360, heading=511)),
        with_time(position(mmsi=463000002, msg_type=3, speed=102.2, status=5)),
        with_time(
            position(mmsi=463000003, msg_type=18, speed=1.5, course=90.0, heading=88)
        ),
        with_time(
            position(mmsi=463000004, msg_type=27, speed=63, course=511, status=1)
        ),
        with_time(
            position(mmsi=463000005, msg_type=27, speed=12, course=270, status=3)
        ),
        with_time(position(mmsi=463000006, msg_type=2, lat=-33.5, lon=-70.25)),
    )
    rows, report, _ = read(text)
    assert report.accepted == 6
    r = rows.set_index("mmsi")
    assert math.isnan(r.loc[463000001, "sog"]) and math.isnan(r.loc[463000001, "cog"])
    assert math.isnan(r.loc[463000001, "heading"])
    assert r.loc[463000001, "nav_status"] == 7
    assert r.loc[463000002, "sog"] == pytest.approx(102.2)
    assert r.loc[463000002, "nav_status"] == 5
    b = r.loc[463000003]
    assert (b["sog"], b["cog"], b["heading"]) == pytest.approx((1.5, 90.0, 88.0))
    assert (b["nav_status"], b["transceiver_class"], b["msg_type"]) == (15, "B", 18)
    lr = r.loc[463000004]
    assert math.isnan(lr["sog"]) and math.isnan(lr["cog"]) and math.isnan(lr["heading"])
    assert (lr["nav_status"], lr["transceiver_class"]) == (1, "")
    assert (r.loc[463000005, "sog"], r.loc[463000005, "cog"]) == (12.0, 270.0)
    assert (r.loc[463000006, "lat"], r.loc[463000006, "lon"]) == (-33.5, -70.25)
    assert r.loc[463000006, "transceiver_class"] == "A"
    assert (rows["lat"] == 25.1).sum() == 5


def test_talkers_vdo_crlf_and_whitespace():
    good = position()
    variants = [
        good.replace("!AIVDM", "!BSVDM"),
        good.replace("!AIVDM", "!ABVDM"),
        good.replace("!AIVDM", "!--VDM"),
        good.replace("!AIVDM", "!AIVDO"),
        good.replace("!AIVDM", "!B2VDM"),
    ]
    fixed = []
    for k, line in enumerate(variants):
        body = line[1 : line.index("*")]
        fixed.append(with_time(f"!{body}*{checksum(body)}", T0 + 100 * k))
    text = "\r\n".join(["  " + fixed[0] + "  ", *fixed[1:]]) + "\r\n"
    rows, report, _ = read(text)
    assert report.accepted == 5
    assert (rows["mmsi"] == 463000001).all()


# ---------------------------------------------------------------------------
# receive time
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (tag(s="x", c=T0) + position(), T0 * NS),
        (tag(c=T0 * 1000 + 250) + position(), T0 * NS + 250_000_000),  # milliseconds
        (tag(c=f"{T0}.5", s="st") + position(), T0 * NS + 500_000_000),
        (tag(g="1-1-77", c=T0) + position(), T0 * NS),
        (f"2024-12-09T22:07:14Z,{position()}", T0 * NS),
        (f"2024-12-09T22:07:14.25 {position()}", T0 * NS + 250_000_000),
        (f"2024-12-09T23:07:14+01:00\t{position()}", T0 * NS),
        (f"2024-12-09 22:07:14;{position()}", T0 * NS),
        (f"{T0},{position()}", T0 * NS),
        (f"{T0}.125 {position()}", T0 * NS + 125_000_000),
        (f"{position()},{T0}", T0 * NS),  # MSSIS trailing epoch
        (f"2024-12-09T22:07:14Z,{tag(c=T0 + 9)}{position()}", (T0 + 9) * NS),
    ],
)
def test_time_sources(line, expected):
    rows, report, _ = read(lines(line))
    assert report.accepted == 1
    assert rows["timestamp"].iloc[0].value == expected


def test_time_priority_tag_then_pghp_then_column_then_trailing():
    text = lines(
        pghp(2024, 12, 9, 22, 7, 20, 0),
        tag(c=T0) + f"{position(mmsi=463000001)},{T0 + 50}",  # tag wins
        pghp(2024, 12, 9, 22, 7, 20, 500),
        f"{T0 + 40},{position(mmsi=463000002)},{T0 + 50}",  # PGHP wins
        f"{T0 + 40},{position(mmsi=463000003)},{T0 + 50}",  # column wins
        f"{position(mmsi=463000004)},{T0 + 50}",  # trailing epoch
        position(mmsi=463000005),  # nothing left: time_missing
    )
    rows, report, _ = read(text)
    got = dict(zip(rows["mmsi"], rows["timestamp"].map(lambda t: t.value), strict=True))
    assert got == {
        463000001: T0 * NS,
        463000002: (T0 + 6) * NS + 500_000_000,
        463000003: (T0 + 40) * NS,
        463000004: (T0 + 50) * NS,
    }
    assert dict(report.rejected) == {"metadata_line": 2, "time_missing": 1}


def test_pghp_applies_to_the_next_sentence_only():
    text = lines(
        pghp(2024, 12, 9, 22, 7, 14, 0),
        "\\si:AISD*3F\\",  # a tag line in between does not use it up
        "",
        position(mmsi=463000001),
        position(mmsi=463000002),  # no time of its own
        pghp(2024, 12, 9, 22, 7, 15, 0),
        "!AIVDM,1,1,,A,13o4g`00000I2EN",  # a broken sentence uses it up
        position(mmsi=463000003),
        pghp(2024, 12, 9, 22, 7, 16, 0),
        pghp(2024, 12, 9, 22, 7, 17, 0),  # the later of two applies
        position(mmsi=463000004),
    )
    rows, report, _ = read(text)
    assert rows["mmsi"].tolist() == [463000001, 463000004]
    assert rows["timestamp"].map(lambda t: t.value).tolist() == [T0 * NS, (T0 + 3) * NS]
    assert report.rejected["time_missing"] == 2


def test_pghp_and_tag_time_carry_across_blocks():
    text = lines(
        pghp(2024, 12, 9, 22, 7, 14, 0),
        position(mmsi=463000001),
        tag(c=T0 + 1),  # a tag-block-only line with a time
        position(mmsi=463000002),
    )
    for chunk_lines in (1, 2, 3, 100):
        rows, report, _ = read(text, chunk_lines=chunk_lines)
        assert rows["timestamp"].map(lambda t: t.value).tolist() == [
            T0 * NS,
            (T0 + 1) * NS,
        ]
        assert report.rejected["metadata_line"] == 2


@pytest.mark.parametrize(
    "setter",
    [
        "$PGHP,1,2024,13,9,22,7,14,0,219,,1,1,00",  # month 13
        "$PGHP,1,2024,12,9,25,7,14,0,219,,1,1,00",  # hour 25
        "$PGHP,1,2024,12,9,22,7,14",  # too few fields
    ],
)
def test_bad_pghp_time(setter):
    body = setter[1:]
    text = lines(f"${body}*{checksum(body)}", position())
    _, report, _ = read(text)
    assert dict(report.rejected) == {"metadata_line": 1, "time_unparsable": 1}


def test_pghp_with_bad_checksum_sets_no_time():
    text = lines(pghp(2024, 12, 9, 22, 7, 14, 0)[:-2] + "00", f"{position()},{T0}")
    rows, report, _ = read(text)
    assert dict(report.rejected) == {"bad_checksum": 1}
    assert rows["timestamp"].iloc[0].value == T0 * NS  # the trailing epoch


# ---------------------------------------------------------------------------
# multi-sentence messages and static data
# ---------------------------------------------------------------------------


def static_of(reader, mmsi):
    return reader.static.set_index("mmsi").loc[mmsi].to_dict()


@pytest.mark.parametrize("grouped", [False, True])
def test_type5_assembled(grouped):
    first, second = static5(name="AL NOOR", ship_type=30, bow=12, stern=8)
    if grouped:
        first = tag(g="1-2-501", c=T0) + first
        second = tag(g="2-2-501") + second
    text = lines(first, second, with_time(position()))
    _, report, reader = read(text)
    assert dict(report.rejected) == {
        "not_position_report": 1,
        "multipart_continuation": 1,
    }
    assert static_of(reader, 463000001) == {
        "name": "AL NOOR",
        "ship_type": 30,
        "length": 20.0,
        "transceiver_class": "A",
    }
    assert reader.static.dtypes.to_dict() == {
        "mmsi": np.dtype("int64"),
        "name": pd.StringDtype(na_value=np.nan),
        "ship_type": np.dtype("int16"),
        "length": np.dtype("float32"),
        "transceiver_class": pd.StringDtype(na_value=np.nan),
    }


def test_tag_groups_tie_fragments_even_when_interleaved():
    a1, a2 = static5(mmsi=463000001, name="ALPHA", seq=1)
    b1, b2 = static5(mmsi=463000002, name="BRAVO", seq=1)  # same sequence id
    text = lines(
        tag(g="1-2-10", c=T0) + a1,
        tag(g="1-2-11", c=T0) + b1,
        tag(g="2-2-10") + a2,
        tag(g="2-2-11") + b2,
        tag(c=T0) + position(),
    )
    _, report, reader = read(text)
    assert report.rejected["multipart_continuation"] == 2
    assert set(reader.static["name"]) == {"ALPHA", "BRAVO"}
    # Without groups, the same interleaving cannot be told apart.
    text = lines(a1, b1, a2, b2, with_time(position()))
    _, report, reader = read(text)
    assert report.rejected["incomplete_multipart"] == 2
    assert report.rejected["multipart_continuation"] == 1
    assert reader.static["name"].tolist() == ["BRAVO"]


def test_incomplete_multipart_cases():
    a1, a2 = static5(mmsi=463000001, seq=1)
    b1, b2 = static5(mmsi=463000002, seq=2)
    c1, c2 = static5(mmsi=463000003, seq=3)
    body = c2[1 : c2.index("*")].replace(",3,", ",4,")  # other sequence id
    c2_other = f"!{body}*{checksum(body)}"
    text = lines(
        a2,  # 1 out of order: part 2 before part 1
        a1,  # 2 part 1 whose part 2 came first: never completed
        b1,  # 3 superseded by a new part 1 of the same key
        b1,  # 4 completed by line 5
        b2,  # 5
        c1,  # 6 part 2 carries another sequence id
        c2_other,  # 7
        with_time(position()),
    )
    _, report, reader = read(text)
    assert dict(report.rejected) == {
        "incomplete_multipart": 5,
        "not_position_report": 1,
        "multipart_continuation": 1,
    }
    assert reader.static["mmsi"].tolist() == [463000002]


def test_multipart_span_limit_and_blocks():
    a1, a2 = static5()
    filler = [with_time(position(mmsi=463000100 + k), T0 + 100 * k) for k in range(3)]
    near = lines(a1, *filler, a2)
    far = lines(a1, *([""] * MULTIPART_MAX_SPAN), a2, filler[0])
    for chunk_lines in (1, 2, 1000, 500_000):
        _, report, reader = read(near, chunk_lines=chunk_lines)
        assert report.rejected["multipart_continuation"] == 1
        assert reader.static["name"].tolist() == ["AL NOOR"]
        _, report, reader = read(far, chunk_lines=chunk_lines)
        assert report.rejected["incomplete_multipart"] == 2
        assert len(reader.static) == 0


def test_multipart_position_report_is_accepted_on_its_first_line():
    (whole,) = encode(type=1, mmsi=463000007, lat=24.5, lon=61.5, speed=3.0)
    payload = whole.split(",")[5]
    first = sentence(payload[:14], 0, count=2, number=1, seq=4)
    second = sentence(payload[14:], 0, count=2, number=2, seq=4)
    text = lines(with_time(position(mmsi=463000001)), with_time(first, T0 + 1), second)
    rows, report, _ = read(text)
    assert rows["_line"].tolist() == [1, 2]
    assert rows["timestamp"].iloc[1].value == (T0 + 1) * NS
    assert (rows["lat"].iloc[1], rows["lon"].iloc[1]) == (24.5, 61.5)
    assert dict(report.rejected) == {"multipart_continuation": 1}


def test_static_from_types_19_and_24_latest_non_empty_wins():
    text = lines(
        with_time(encode(type=24, mmsi=463000002, partno=0, shipname="SEA BIRD")[0]),
        with_time(
            encode(
                type=24, mmsi=463000002, partno=1, ship_type=37, to_bow=5, to_stern=4
            )[0]
        ),
        with_time(
            encode(
                type=19,
                mmsi=463000003,
                lat=25.2,
                lon=62.4,
                speed=3.2,
                course=45.5,
                heading=44,
                shipname="DHOW",
                ship_type=30,
                to_bow=10,
                to_stern=5,
            )[0]
        ),
        # A later part A with an empty name keeps the earlier name; a later
        # type 5 names the class-A vessel anew.
        with_time(encode(type=24, mmsi=463000002, partno=0, shipname="")[0]),
        *[with_time(x) for x in static5(mmsi=463000004, name="OLD")],
        *[
            with_time(x)
            for x in static5(mmsi=463000004, name="NEW", ship_type=0, bow=0, stern=0)
        ],
    )
    rows, report, reader = read(text)
    assert rows["mmsi"].tolist() == [463000003]  # type 19 is also a position
    row = rows.iloc[0]
    assert (row["lat"], row["lon"], row["transceiver_class"]) == (25.2, 62.4, "B")
    assert (row["sog"], row["cog"], row["heading"]) == pytest.approx((3.2, 45.5, 44))
    assert report.rejected["not_position_report"] == 5
    assert static_of(reader, 463000002) == {
        "name": "SEA BIRD",
        "ship_type": 37,
        "length": 9.0,
        "transceiver_class": "B",
    }
    assert static_of(reader, 463000003) == {
        "name": "DHOW",
        "ship_type": 30,
        "length": 15.0,
        "transceiver_class": "B",
    }
    assert static_of(reader, 463000004) == {
        "name": "NEW",
        "ship_type": 30,
        "length": 20.0,
        "transceiver_class": "A",
    }


def test_static_is_empty_frame_with_columns_before_and_without_static():
    report = FileReport("x")
    reader = NmeaReader("x", report)
    assert list(reader.static.columns) == list(STATIC_COLUMNS)
    _, _, reader = read(lines(with_time(position())))
    assert len(reader.static) == 0 and list(reader.static.columns) == list(
        STATIC_COLUMNS
    )


# ---------------------------------------------------------------------------
# relay duplicates
# ---------------------------------------------------------------------------


def test_relay_window_counts_from_the_first_copy():
    good = position()
    text = lines(
        with_time(good, T0),  # kept
        with_time(good, T0 + 30),  # relay
        with_time(good, T0 + 60),  # relay: exactly one window after the first
        with_time(good, T0 - 20),  # relay: earlier in time, still within
        with_time(good, T0 + 61),  # kept: starts a new window
        with_time(good, T0 + 100),  # relay of the copy at +61
        with_time(position(mmsi=463000002), T0 + 1),  # another vessel: kept
    )
    rows, report, _ = read(text)
    assert rows["_line"].tolist() == [1, 5, 7]
    assert report.rejected["duplicate_relay"] == 4
    _, report, _ = read(text, relay_window_s=0)
    assert report.rejected.get("duplicate_relay", 0) == 0
    _, report, _ = read(text, relay_window_s=1000)
    assert report.rejected["duplicate_relay"] == 5


def test_relay_detected_across_blocks_and_only_for_accepted_copies():
    good = position()
    text = lines(
        good,  # time_missing: not a first copy
        with_time(good, T0),
        with_time(good, T0 + 1),
        with_time(good, T0 + 2),
    )
    for chunk_lines in (1, 2, 10):
        rows, report, _ = read(text, chunk_lines=chunk_lines)
        assert rows["_line"].tolist() == [2]
        assert dict(report.rejected) == {"time_missing": 1, "duplicate_relay": 2}


# ---------------------------------------------------------------------------
# chunks, workers, determinism
# ---------------------------------------------------------------------------


def mixed_text(n_messages=400, seed=5) -> str:
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n_messages):
        t = T0 + k // 3
        kind = rng.integers(0, 10)
        mmsi = 463000000 + int(rng.integers(0, 30))
        if kind < 6:
            out.append(with_time(position(mmsi=mmsi, lat=24 + k / 1000), t))
            if rng.random() < 0.3:  # a relayed copy
                out.append(with_time(out[-1].split("\\")[-1], t + 2))
        elif kind == 6:
            a, b = static5(mmsi=mmsi, name=f"V{k}", seq=k % 10)
            out += [tag(g=f"1-2-{k}", c=t) + a, tag(g=f"2-2-{k}") + b]
        elif kind == 7:
            out += [pghp(2024, 12, 9, 22, 8, k % 60, k % 1000), position(mmsi=mmsi)]
        elif kind == 8:
            out.append(with_time(position(mmsi=mmsi)[:-2] + "ZZ", t))
        else:
            a, b = static5(mmsi=mmsi, name=f"W{k}", seq=k % 10)
            out += [with_time(a, t), with_time(b, t)]
    return lines(*out)


def test_chunk_sizes_and_workers_give_identical_results():
    text = mixed_text()
    results = []
    for chunk_lines, workers in ((500_000, 1), (37, 1), (1, 1), (37, 2), (500_000, 2)):
        quarantine = Quarantine()
        report = FileReport("test.nmea")
        reader = NmeaReader(
            "test.nmea", report, quarantine, chunk_lines=chunk_lines, workers=workers
        )
        frames = list(reader.chunks(io.BytesIO(text.encode())))
        if chunk_lines == 37:
            assert len(frames) > 5
        results.append(
            (pd.concat(frames, ignore_index=True), report, quarantine, reader.static)
        )
    rows0, report0, quarantine0, static0 = results[0]
    assert report0.accepted > 100 and report0.rejected["duplicate_relay"] > 10
    assert len(static0) > 5
    for rows, report, quarantine, static in results[1:]:
        pd.testing.assert_frame_equal(rows, rows0)
        pd.testing.assert_frame_equal(static, static0)
        assert report.to_dict() == report0.to_dict()
        assert sorted(quarantine.rows) == sorted(quarantine0.rows)


def test_frames_are_bounded_by_chunk_lines():
    text = lines(*[with_time(position(mmsi=463000000 + k), T0 + k) for k in range(50)])
    report = FileReport("x")
    reader = NmeaReader("x", report, chunk_lines=10)
    frames = list(reader.chunks(io.BytesIO(text.encode())))
    assert [len(f) for f in frames] == [10] * 5
    assert pd.concat(frames)["_line"].tolist() == list(range(1, 51))


def test_no_rows_gives_one_empty_frame_with_columns():
    report = FileReport("x")
    reader = NmeaReader("x", report)
    frames = list(reader.chunks(io.BytesIO(lines(position()).encode())))
    assert len(frames) == 1 and len(frames[0]) == 0
    assert list(frames[0].columns) == list(ROW_COLUMNS)
    assert frames[0]["timestamp"].dtype == pd.DatetimeTZDtype("ns", "UTC")
    assert dict(report.rejected) == {"time_missing": 1}


def test_last_line_without_newline():
    text = lines(with_time(position())) + with_time(position(mmsi=463000002))
    rows, report, _ = read(text)
    assert report.read == 2 and rows["_line"].tolist() == [1, 2]


# ---------------------------------------------------------------------------
# errors and detection
# ---------------------------------------------------------------------------


def test_binary_input_is_an_input_error():
    data = b"PK\x03\x04" + bytes(range(256)) * 10
    with pytest.raises(InputError, match=r"^test\.nmea:1: binary data, not NMEA text"):
        read(data)
    with pytest.raises(InputError, match=r"^test\.nmea:2: binary data"):
        read(b"hello\n\x00\x01\x02" * 100)


def test_no_sentence_in_the_first_lines_is_an_input_error():
    csv = (
        "MMSI,BaseDateTime,LAT,LON\n"
        + "366053209,2022-01-03T00:00:00,48.5,-122.6\n" * 2000
    )
    with pytest.raises(
        InputError, match=r"^test\.nmea: no NMEA AIS sentence .* first 1000 line"
    ):
        read(csv)
    with pytest.raises(InputError, match=r"first 3 line\(s\); is this an NMEA file"):
        read("a\nb\n$PGHP,1*00\n")
    with pytest.raises(InputError, match=r"^test\.nmea: empty file"):
        read(b"")
    # The same from worker processes, which are shut down on the way out.
    with pytest.raises(InputError, match=r"first 1000 line"):
        read(csv, workers=2, chunk_lines=300)
    with pytest.raises(InputError, match=r"^test\.nmea:1: binary data"):
        read(b"\x1f\x8b\x08\x00" * 3000, workers=2)


def test_bad_arguments():
    report = FileReport("x")
    with pytest.raises(ValueError, match="chunk_lines must be >= 1, got 0"):
        NmeaReader("x", report, chunk_lines=0)
    with pytest.raises(ValueError, match="workers must be >= 1, got 0"):
        NmeaReader("x", report, workers=0)
    with pytest.raises(ValueError, match=r"relay_window_s must be >= 0, got -1"):
        NmeaReader("x", report, relay_window_s=-1)
    with pytest.raises(TypeError, match="needs a binary stream"):
        list(NmeaReader("x", report).chunks(io.StringIO("!AIVDM\n")))


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            (
                b"\\si:AISD*3F\\\r\n"
                b"$PGHP,1,2013,11,12,12,0,0,11,219,,2190067,1,62*26\r\n"
                b"!BSVDM,1,1,,A,13@:`L001N0ded0O6Fp8wW<00<0t,0*62\r\n"
            ),
            True,
        ),
        (
            b"\\s:2573238,c:1733782034*0A\\!BSVDM,1,1,,A,13o4g`00000I2ENRH4g8,0*3F\n",
            True,
        ),
        (b"2024-12-09T22:07:14Z,!AIVDM,1,1,,A,13o4g`00000I2ENRH4g83S0L088C,0*3F", True),
        (b"MMSI,BaseDateTime,LAT,LON,SOG\n366053209,2022-01-03T00:00:00,48.5", False),
        (b"# Timestamp,Type of mobile,MMSI\n01/06/2018 00:00:00,Class A,219", False),
        (b"\x00!AIVDM,1,1,,A,13o4g`00000I2ENRH4g83S0L088C,0*3F", False),
        (b"", False),
    ],
)
def test_looks_like_nmea(head, expected):
    assert looks_like_nmea(head) is expected


def test_looks_like_nmea_on_real_heads(ais_real):
    for name in REAL_COUNTS:
        with gzip.open(ais_real / name) as stream:
            assert looks_like_nmea(stream.read(4096))
    with gzip.open(
        ais_real / "csv/noaa_marinecadastre_20220103_first99999rows.csv.gz"
    ) as s:
        assert not looks_like_nmea(s.read(4096))


# ---------------------------------------------------------------------------
# the regex fast path agrees with the general line parser
# ---------------------------------------------------------------------------


def read_both_paths(monkeypatch, data: bytes, **options):
    """Read ``data`` with and without the one-regex fast path for sentences."""
    import coastwatch.nmea as nmea

    results = []
    for fast in (True, False):
        with monkeypatch.context() as patch:
            if not fast:
                patch.setattr(nmea, "_FAST_LINE", re.compile(rb"(?!)"))
            quarantine = Quarantine()
            rows, report, reader = read(data, quarantine, **options)
            results.append((rows, report.to_dict(), quarantine.rows, reader.static))
    return results


@pytest.mark.parametrize("name", sorted(REAL_COUNTS))
def test_fast_path_agrees_with_general_parser_on_real_files(
    ais_real, monkeypatch, name
):
    with gzip.open(ais_real / name) as stream:
        data = stream.read()
    (rows, report, quarantine, static), slow = read_both_paths(monkeypatch, data)
    pd.testing.assert_frame_equal(rows, slow[0])
    assert report == slow[1]
    assert quarantine == slow[2]
    pd.testing.assert_frame_equal(static, slow[3])


def mutate(line: bytes, rng) -> bytes:
    """One random corruption of a line, of the kinds seen in real feeds."""
    kind = rng.integers(0, 8)
    k = int(rng.integers(0, max(1, len(line))))
    if kind == 0:  # truncated
        return line[:k]
    if kind == 1:  # one byte changed
        return line[:k] + bytes([int(rng.integers(32, 127))]) + line[k + 1 :]
    if kind == 2:  # one byte dropped
        return line[:k] + line[k + 1 :]
    if kind == 3:  # stray whitespace
        return b" \t" + line + b" \r"
    if kind == 4:  # two lines run together
        return line + line
    if kind == 5:  # a non-ASCII byte
        return line[:k] + b"\xe9" + line[k:]
    if kind == 6:  # a control character
        return line[:k] + b"\x07" + line[k:]
    return line


def test_corrupted_real_lines_are_all_accounted_for(ais_real, monkeypatch):
    rng = np.random.default_rng(11)
    pool = []
    for name in sorted(REAL_COUNTS):
        with gzip.open(ais_real / name) as stream:
            pool += stream.read().split(b"\n")[:600]
    lines_out = [mutate(line, rng) for line in pool if rng.random() < 0.5]
    data = b"\n".join(lines_out) + b"\n"
    (rows, report, quarantine, static), slow = read_both_paths(
        monkeypatch, data, chunk_lines=97
    )
    assert report["read"] == len(lines_out)
    assert report["read"] == report["accepted"] + report["rejected"]
    assert report["accepted"] == len(rows) > 30
    assert len(quarantine) == report["rejected"]
    assert report["rejected_by_reason"]["bad_checksum"] > 50
    assert report["rejected_by_reason"]["unparsable"] > 20
    pd.testing.assert_frame_equal(rows, slow[0])
    assert report == slow[1]
    assert quarantine == slow[2]
    pd.testing.assert_frame_equal(static, slow[3])


@pytest.mark.parametrize(
    "name",
    [
        "nmea/dma_network_20131112T1200Z_5min.nmea.gz",
        "nmea/dma_aislib_20100611T1146Z_30s.nmea.gz",
        "nmea/kystverket_20241209T2207Z_5s_tagblock.nmea.gz",
    ],
)
def test_static_fields_match_full_pyais_decoding(ais_real, name):
    from coastwatch.nmea import _NOT_POSITION, _decode_payload

    with gzip.open(ais_real / name) as stream:
        sentences = [
            line[line.index("!") :]
            for line in stream.read().decode().splitlines()
            if "VDM," in line or "VDO," in line
        ]
    checked = 0
    for first, second in itertools.pairwise(sentences):
        if ",2,1," not in first or ",2,2," not in second:
            continue
        try:
            message = pyais_decode(first, second)
        except Exception:  # a pair that does not belong together
            continue
        if message.msg_type != 5:
            continue
        payload = (first.split(",")[5] + second.split(",")[5]).encode()
        fill = int(second.split(",")[6][0])
        outcome, row, static = _decode_payload(payload, fill)
        bow, stern = message.to_bow, message.to_stern
        assert (outcome, row) == (_NOT_POSITION, None)
        assert static[:2] == (message.mmsi, message.shipname)
        assert static[3] == pytest.approx(
            bow + stern if bow + stern else math.nan, nan_ok=True
        )
        # The code as sent; pyais folds reserved codes (e.g. 39 to 0).
        assert ShipType.from_value(static[2]) == message.ship_type
        checked += 1
    assert checked > 10
