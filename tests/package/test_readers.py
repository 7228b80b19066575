"""Readers: real files with exact accounting, every reject reason, formats."""

from __future__ import annotations

import gzip
import zipfile

import numpy as np
import pandas as pd
import pytest

from coastwatch.accounting import Quarantine, ReadReport
from coastwatch.errors import InputError
from coastwatch.readers import detect_format, ingest, read_tracks, write_tracks
from coastwatch.schema import TRACK_DTYPES, validate_tracks

MC_HEADER = (
    "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,"
    "VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass"
)


def _read(path, **kwargs):
    report = ReadReport()
    quarantine = Quarantine()
    tracks = read_tracks(path, report=report, quarantine=quarantine, **kwargs)
    assert report.read == report.accepted + report.rejected
    assert report.accepted == len(tracks)
    assert len(quarantine.rows) == report.rejected
    validate_tracks(tracks)
    return tracks, report, quarantine


# --------------------------------------------------------------------------
# Real files
# --------------------------------------------------------------------------


def test_marinecadastre_real_file(ais_real):
    path = ais_real / "csv" / "noaa_marinecadastre_20220103_first99999rows.csv.gz"
    tracks, report, quarantine = _read(path)
    assert report.read == 99_999
    assert report.files[0].format == "marinecadastre"
    # Only three rows are exact copies of another row; nothing else is wrong.
    assert dict(report.rejected_by_reason) == {"duplicate": 3}
    assert {r[2] for r in quarantine.rows} == {"duplicate"}
    with gzip.open(path, "rt") as handle:
        lines = handle.read().splitlines()
    for _, line, _, raw in quarantine.rows:
        # The quarantined copy is the same report as an accepted row.
        assert lines[line - 1].split(",")[:4] == raw.split(",")[:4]
    # First data row of the file, checked by hand.
    row = tracks[
        (tracks.mmsi == 338148873) & (tracks.timestamp == "2022-01-03T00:00:00Z")
    ].iloc[0]
    assert (row.lat, row.lon) == (33.60716, -117.91483)
    assert row.sog == 0.0 and row.cog == np.float32(280.0)
    assert np.isnan(row.heading)  # 511 = not available
    assert row["name"] == "CAZADOR" and row.ship_type == 37
    assert row.length == 14 and row.transceiver_class == "B"
    assert row.nav_status == 15  # blank Status
    eagle = tracks[tracks.mmsi == 367379190].iloc[0]
    assert eagle.nav_status == 0 and eagle["name"] == "EAGLE"
    # A ten-digit MMSI is a malformed identity: kept and flagged, not dropped.
    odd = tracks[tracks.mmsi == 1072211352]
    assert len(odd) == 5 and not odd.mmsi_valid.any()
    assert tracks.mmsi.nunique() == 10_631


def test_dma_real_file(ais_real):
    path = ais_real / "csv" / "dma_aisdk_20180601_schema_sample.csv.gz"
    tracks, report, _quarantine = _read(path)
    assert report.read == 83 and report.files[0].format == "dma"
    # 8 base stations + 1 AtoN are not vessels; 8 static-only rows at 91/181.
    assert dict(report.rejected_by_reason) == {
        "not_a_vessel": 9,
        "position_not_available": 8,
    }
    assert (tracks.timestamp == pd.Timestamp("2018-06-01T00:00:00Z")).all()
    row = tracks[tracks.mmsi == 215810000].iloc[0]
    assert (row.lat, row.lon) == (55.921028, 17.320418)
    assert row.sog == np.float32(12.5) and row.heading == 256
    assert row.nav_status == 4  # constrained by her draught
    assert row.transceiver_class == "A"
    unknown = tracks[tracks.mmsi == 220012000].iloc[0]
    assert unknown.nav_status == 15  # 'Unknown value'
    assert set(tracks.transceiver_class) <= {"A", "B"}


def test_gpkg_real_files(ais_real):
    tracks, report, _ = _read(
        ais_real / "gpkg" / "dk_gothenburg_20170705_cpa_2vessels.gpkg"
    )
    assert report.read == 255 and report.rejected == 0
    assert sorted(tracks.mmsi.unique()) == [265410000, 265550210]
    # The typed 't' column wins over the day-first text 'Timestamp' column.
    assert tracks.timestamp.min() == pd.Timestamp("2017-07-05T19:00:01Z")
    assert tracks.timestamp.max() == pd.Timestamp("2017-07-05T19:13:53Z")
    assert set(tracks["name"]) == {"STENA JUTLANDICA", "TANKSKAR"}
    tracks, report, _ = _read(ais_real / "gpkg" / "us_boston_20140101-07_4vessels.gpkg")
    assert report.read == 972 and len(tracks) == 972
    assert tracks.groupby("mmsi").size().sort_values().tolist() == [80, 94, 264, 534]
    assert tracks.timestamp.min() == pd.Timestamp("2014-01-01T04:43:53Z")
    assert tracks.lon.between(-71.07, -70.79).all()


def test_folder_reads_every_file(ais_real):
    _tracks, report, _ = _read([ais_real / "csv", ais_real / "gpkg"])
    assert [f.format for f in report.files] == ["dma", "marinecadastre", "gpkg", "gpkg"]
    assert report.read == 83 + 99_999 + 255 + 972


# --------------------------------------------------------------------------
# Crafted bad input: every reason, exact counts, quarantine lines
# --------------------------------------------------------------------------


BAD_MC = "\n".join(
    [
        MC_HEADER,
        # line 2 ok, line 3 ok with 'not available' codes, line 4 its duplicate
        "463012345,2024-01-01T00:00:00,25.0,62.0,5.0,90.0,511,A,,,70,0,100,20,,,A",
        "463012345,2024-01-01T00:01:00,25.0,62.01,102.3,360,511,A,,,70,0,0,20,,,A",
        "463012345,2024-01-01T00:01:00,25.0,62.01,102.3,360,511,A,,,70,0,0,20,,,A",
        ",2024-01-01T00:02:00,25.0,62.0,5.0,90.0,511,,,,,,,,,,A",  # 5 mmsi missing
        "0,2024-01-01T00:02:00,25.0,62.0,5.0,90.0,511,,,,,,,,,,A",  # 6 mmsi zero
        "abc,2024-01-01T00:02:00,25.0,62.0,5.0,90.0,511,,,,,,,,,,A",  # 7 not a number
        "463012345,2024-01-01T00:03:00,91,181,5.0,90.0,511,,,,,,,,,,A",  # 8 n/a
        "463012345,2024-01-01T00:04:00,95.0,62.0,5.0,90.0,511,,,,,,,,,,A",  # 9 range
        "463012345,,25.0,62.0,5.0,90.0,511,,,,,,,,,,A",  # 10 time missing
        "463012345,yesterday,25.0,62.0,5.0,90.0,511,,,,,,,,,,A",  # 11 time bad
        "463012345,2024-01-01T00:05:00,25.0",  # 12 too few fields
        "200000010,2024-01-01T00:06:00,25.1,62.1,,,,,,,,,,,,,B",  # 13 ok, bad MID
        "",
    ]
)


def test_every_csv_reject_reason(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD_MC)
    tracks, report, quarantine = _read(path)
    assert report.read == 12
    assert dict(report.rejected_by_reason) == {
        "duplicate": 1,
        "mmsi_missing": 1,
        "mmsi_zero": 1,
        "mmsi_not_a_number": 1,
        "position_not_available": 1,
        "position_out_of_range": 1,
        "time_missing": 1,
        "time_unparsable": 1,
        "unparsable": 1,
    }
    by_line = {line: reason for _, line, reason, _ in quarantine.rows}
    assert by_line == {
        4: "duplicate",
        5: "mmsi_missing",
        6: "mmsi_zero",
        7: "mmsi_not_a_number",
        8: "position_not_available",
        9: "position_out_of_range",
        10: "time_missing",
        11: "time_unparsable",
        12: "unparsable",
    }
    raw = {line: text for _, line, _, text in quarantine.rows}
    assert raw[12] == "463012345,2024-01-01T00:05:00,25.0"
    assert raw[7].startswith("abc,2024-01-01T00:02:00")
    assert len(tracks) == 3
    second = tracks[tracks.mmsi == 463012345].iloc[1]
    assert np.isnan(second.sog) and np.isnan(second.cog) and np.isnan(second.length)
    assert tracks[tracks.mmsi == 463012345].iloc[0].length == 100
    fake = tracks[tracks.mmsi == 200000010].iloc[0]
    assert not fake.mmsi_valid and fake.transceiver_class == "B"
    assert tracks[tracks.mmsi == 463012345].mmsi_valid.all()


def test_duplicates_across_files_counted_where_read(tmp_path):
    rows = [MC_HEADER, "463012345,2024-01-01T00:00:00,25.0,62.0,5,90,511,,,,,,,,,,A"]
    (tmp_path / "a.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "b.csv").write_text("\n".join(rows) + "\n")
    tracks, report, _ = _read(tmp_path)
    assert len(tracks) == 1
    assert [f.accepted for f in report.files] == [1, 0]
    assert report.files[1].rejected == {"duplicate": 1}


def test_dma_day_first_and_not_vessels(tmp_path):
    header = (
        "# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,"
        "ROT,SOG,COG,Heading,IMO,Callsign,Name,Ship type,Cargo type,Width,Length,"
        "Type of position fixing device,Draught,Destination,ETA,Data source type"
    )
    rows = [
        header,
        (
            "02/03/2021 04:05:06,Class A,219000001,55.5,11.1,Moored,,0.0,,,Unknown,,"
            "BOAT,Fishing,,5,20,GPS,,,,AIS"
        ),
        (
            "02/03/2021 04:05:06,Base Station,2190001,55.5,11.1,Unknown value,,,,,"
            "Unknown,,,Undefined,,,,GPS,,,,AIS"
        ),
        (
            "13/03/2021 04:05:06,Class B,219000002,55.6,11.2,Unknown value,,3.0,10,,"
            "Unknown,,,Pleasure,,2,8,GPS,,,,AIS"
        ),
    ]
    path = tmp_path / "aisdk.csv"
    path.write_text("\n".join(rows) + "\n")
    tracks, report, _ = _read(path)
    assert report.files[0].format == "dma"
    assert dict(report.rejected_by_reason) == {"not_a_vessel": 1}
    first = tracks.iloc[0]
    assert first.timestamp == pd.Timestamp("2021-03-02T04:05:06Z")  # 2 March
    assert first.nav_status == 5 and first.ship_type == 30 and first.length == 20
    assert tracks.iloc[1].timestamp == pd.Timestamp("2021-03-13T04:05:06Z")
    assert tracks.iloc[1].ship_type == 37 and tracks.iloc[1].transceiver_class == "B"


def test_generic_csv_with_mapping_and_aliases(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text(
        "ShipId,When,Y,X,Knots\n"
        "463012345,2024-05-01 10:00:00+05:00,25.0,62.0,4.5\n"
        "463012345,1714543260,25.1,62.1,4.0\n"
    )
    with pytest.raises(InputError, match=r"other\.csv:1: CSV lacks required column"):
        read_tracks(path)
    mapping = {"mmsi": "ShipId", "timestamp": "When", "sog": "Knots"}
    tracks, report, _ = _read(path, columns=mapping)
    assert report.files[0].format == "csv"
    # Zone-aware text is converted to UTC; unix seconds are accepted too.
    assert tracks.timestamp.tolist() == [
        pd.Timestamp("2024-05-01T05:00:00Z"),
        pd.Timestamp("2024-05-01T06:01:00Z"),
    ]
    assert tracks.sog.tolist() == [4.5, 4.0]
    aliased = tmp_path / "aliased.csv"
    aliased.write_text("ssvid,timestamp,latitude,longitude\n1,2024-01-01,1,2\n")
    tracks, _, _ = _read(aliased)
    assert tracks.mmsi.tolist() == [1] and not tracks.mmsi_valid.any()


def test_compressed_inputs_are_detected_by_content(tmp_path):
    text = BAD_MC.encode()
    gz = tmp_path / "data.bin"  # misleading name: content decides
    gz.write_bytes(gzip.compress(text))
    archive = tmp_path / "data.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("day1.csv", text)
        zf.writestr("day2.csv", text.replace(b"2024-01-01", b"2024-01-02"))
    _, report_gz, _ = _read(gz)
    assert report_gz.files[0].format == "marinecadastre"
    tracks, report_zip, quarantine = _read(archive)
    assert [f.path for f in report_zip.files] == [
        f"{archive}:day1.csv",
        f"{archive}:day2.csv",
    ]
    assert len(tracks) == 6
    assert quarantine.rows[0][0].endswith("data.zip:day1.csv")


def test_detect_format():
    assert detect_format(b"PAR1....") == "parquet"
    assert detect_format(b"SQLite format 3\x00...") == "gpkg"
    assert detect_format(b"!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C\n") == "nmea"
    assert detect_format(b"\\s:r1,c:1700000000*7F\\!BSVDM,1,1,,A,1,0*00\n") == "nmea"
    assert detect_format(MC_HEADER.encode() + b"\n") == "marinecadastre"
    assert detect_format(b"mmsi,basedatetime,lat,lon\n") == "marinecadastre"
    assert detect_format(b"# Timestamp,Type of mobile,MMSI,Latitude\n") == "dma"
    assert detect_format(b"a,b,c\n1,2,3\n") == "csv"
    with pytest.raises(InputError, match="x: file is empty"):
        detect_format(b"", "x")
    with pytest.raises(InputError, match="binary file"):
        detect_format(bytes(range(256)) * 4, "x")
    with pytest.raises(InputError, match="unrecognised format"):
        detect_format(b"just some words\nand more\n", "x")


def _file(name: str, content: bytes):
    def make(folder):
        path = folder / name
        path.write_bytes(content)
        return path

    return make


def _empty_folder(folder):
    (folder / "emptydir").mkdir()
    return folder / "emptydir"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing.csv", r"missing\.csv: no such file or folder"),
        (_file("empty.csv", b""), r"empty\.csv: file is empty"),
        (_file("blank.csv", b"\n\n  \n"), "only blank lines"),
        (_file("b.zip", b"PK\x03\x04garbage"), "damaged zip archive"),
        (_file("g.gz", b"\x1f\x8b\x08garbage"), r"g\.gz: cannot read file"),
        (
            _file("n.csv", b"MMSI,LAT\n1,2\n"),
            r"n\.csv:1: CSV lacks required column\(s\) timestamp, lon",
        ),
        (_file("r.bin", bytes(range(256)) * 8), "binary file of an unknown format"),
        (_empty_folder, "folder contains no files"),
    ],
)
def test_bad_files_raise_one_line_errors(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(InputError, match=message) as info:
        read_tracks(path)
    assert "\n" not in str(info.value)


def test_unknown_format_name():
    with pytest.raises(InputError, match="unknown format 'xml'"):
        read_tracks("whatever", format="xml")


# --------------------------------------------------------------------------
# Parquet and ingest
# --------------------------------------------------------------------------


def test_parquet_round_trip(ais_real, tmp_path):
    path = ais_real / "csv" / "noaa_marinecadastre_20220103_first99999rows.csv.gz"
    tracks, _, _ = _read(path)
    write_tracks(tracks, tmp_path / "t.parquet")
    again, report, _ = _read(tmp_path / "t.parquet")
    assert report.files[0].format == "parquet" and report.rejected == 0
    pd.testing.assert_frame_equal(tracks, again)
    assert list(again.dtypes.astype(str)) == [str(d) for d in TRACK_DTYPES.values()]


def test_parquet_missing_columns(tmp_path):
    pd.DataFrame({"mmsi": [1], "lat": [1.0]}).to_parquet(tmp_path / "x.parquet")
    with pytest.raises(InputError, match="lacks canonical column"):
        read_tracks(tmp_path / "x.parquet")


def test_ingest_matches_read_tracks(ais_real, tmp_path):
    sources = [ais_real / "csv", ais_real / "gpkg"]
    expected = read_tracks(sources)
    report = ReadReport()
    quarantine = Quarantine()
    # A tiny merge pass forces many MMSI ranges and runs.
    ingest(
        sources,
        tmp_path / "out.parquet",
        report=report,
        quarantine=quarantine,
        rows_per_pass=5_000,
    )
    got = read_tracks(tmp_path / "out.parquet")
    pd.testing.assert_frame_equal(expected, got)
    assert report.read == report.accepted + report.rejected
    assert report.accepted == len(got)
    assert len(quarantine.rows) == report.rejected
    assert not list(tmp_path.glob(".*"))  # temporary files are gone


def test_fast_typed_parse_and_text_fallback_agree(tmp_path, ais_real):
    # Without a quarantine, clean files are parsed straight into numbers and
    # times; a file with one bad value falls back to text. Both paths must
    # give the same table and the same counts as the text path.
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_MC)
    clean = ais_real / "csv" / "noaa_marinecadastre_20220103_first99999rows.csv.gz"
    plain = tmp_path / "clean.csv"
    plain.write_bytes(gzip.decompress(clean.read_bytes()))
    for path in (bad, plain):
        fast_report = ReadReport()
        fast = read_tracks(path, report=fast_report)
        text, text_report, _ = _read(path)  # quarantine: text path
        pd.testing.assert_frame_equal(fast, text)
        assert fast_report.to_dict() == text_report.to_dict()


def test_canonical_parquet_fast_path_is_marked_and_checked(ais_real, tmp_path):
    import pyarrow.parquet as pq

    path = ais_real / "csv" / "noaa_marinecadastre_20220103_first99999rows.csv.gz"
    tracks, _, _ = _read(path)
    write_tracks(tracks, tmp_path / "clean.parquet")
    assert b"coastwatch.tracks" in pq.read_schema(tmp_path / "clean.parquet").metadata
    report = ReadReport()
    fast = read_tracks(tmp_path / "clean.parquet", report=report)
    pd.testing.assert_frame_equal(fast, tracks)
    assert report.read == report.accepted == len(tracks)
    # An unsorted table is not marked, and reads back sorted the careful way.
    shuffled = tracks.sample(frac=1.0, random_state=1)
    write_tracks(shuffled, tmp_path / "shuffled.parquet")
    assert (
        pq.read_schema(tmp_path / "shuffled.parquet").metadata.get(b"coastwatch.tracks")
        is None
    )
    back = read_tracks(tmp_path / "shuffled.parquet")
    # Reports sharing MMSI and time keep reading order, which the shuffle changed.
    keys = ["mmsi", "timestamp", "lat", "lon", "sog"]
    pd.testing.assert_frame_equal(
        back.sort_values(keys, ignore_index=True),
        tracks.sort_values(keys, ignore_index=True),
    )


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda t: t.assign(lat=t["lat"].where(t.index != 5, 91.0)), "position"),
        (lambda t: t.assign(lon=t["lon"].where(t.index != 5, np.nan)), "position"),
        (lambda t: t.assign(mmsi=t["mmsi"].where(t.index != 0, 0)), "mmsi_zero"),
        (lambda t: pd.concat([t, t.iloc[[7]]]).sort_index(kind="stable"), "duplicate"),
        (lambda t: t.iloc[::-1], None),
    ],
)
def test_marked_parquet_edited_after_writing_takes_the_careful_path(
    ais_real, tmp_path, edit, reason
):
    # A file still carrying the canonical mark but edited since: the fast
    # path's check must notice and the careful path count every row.
    import pyarrow as pa
    import pyarrow.parquet as pq

    from coastwatch.readers import _CANONICAL_KEY, _CANONICAL_VALUE

    path = ais_real / "csv" / "noaa_marinecadastre_20220103_first99999rows.csv.gz"
    tracks, _, _ = _read(path)
    edited = edit(tracks.head(2000)).reset_index(drop=True)
    table = pa.Table.from_pandas(edited, preserve_index=False)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), _CANONICAL_KEY: _CANONICAL_VALUE}
    )
    pq.write_table(table, tmp_path / "edited.parquet")
    report = ReadReport()
    back = read_tracks(tmp_path / "edited.parquet", report=report)
    assert report.read == len(edited) == report.accepted + report.rejected
    if reason is None:
        keys = ["mmsi", "timestamp", "lat", "lon", "sog"]
        pd.testing.assert_frame_equal(
            back.sort_values(keys, ignore_index=True),
            tracks.head(2000).sort_values(keys, ignore_index=True),
        )
    else:
        assert report.rejected == 1
        (got,) = [k for k, n in report.rejected_by_reason.items() if n]
        assert got.startswith(reason)


def _set(column, value, row=-1):
    def edit(tracks):
        values = tracks[column].to_numpy().copy()
        values[row] = value
        return tracks.assign(**{column: values})

    return edit


@pytest.mark.parametrize(
    "edit",
    [
        _set("sog", np.float32(102.3)),
        _set("cog", np.float32(360.0)),
        _set("heading", np.float32(511.0)),
        _set("length", np.float32(0.0)),
        _set("name", None, row=3),
        _set("mmsi", 2**53 + 10),  # last row: order kept
    ],
    ids=["sog", "cog", "heading", "length", "name", "mmsi_past_2_53"],
)
def test_marked_parquet_reads_as_the_careful_path_would(
    ais_real, tmp_path, monkeypatch, edit
):
    # Values conform_tracks would blank or fill, or an identity the careful
    # path cannot take as a number: the fast path must not return them as
    # they are.
    import pyarrow as pa
    import pyarrow.parquet as pq

    import coastwatch.readers as readers

    path = ais_real / "labelled" / "gfw_segmenter_regression_20210101-09.csv.gz"
    tracks, _, _ = _read(path)
    edited = edit(tracks.head(2000).astype({"name": object}))
    table = pa.Table.from_pandas(edited, preserve_index=False)
    table = table.replace_schema_metadata(
        {
            **(table.schema.metadata or {}),
            readers._CANONICAL_KEY: readers._CANONICAL_VALUE,
        }
    )
    pq.write_table(table, tmp_path / "edited.parquet")
    report = ReadReport()
    back = read_tracks(tmp_path / "edited.parquet", report=report)
    monkeypatch.setattr(readers, "_read_canonical_parquet", lambda *args: None)
    careful_report = ReadReport()
    careful = read_tracks(tmp_path / "edited.parquet", report=careful_report)
    pd.testing.assert_frame_equal(back, careful)
    assert report.rejected_by_reason == careful_report.rejected_by_reason
    assert report.read == careful_report.read == 2000
