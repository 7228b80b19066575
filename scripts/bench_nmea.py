"""Benchmark the NMEA reader on a large file with NMEA 4.0 tag blocks.

Builds a file of ``--sentences`` AIS sentences (default 1,000,000), each
behind a tag block ``\\s:<station>,c:<unix>*hh\\``, from a few thousand
distinct messages encoded with pyais (class A and B positions, some long-range
reports, and two-sentence type 5 static messages), each repeat with another
MMSI so that every payload in the file is distinct (no relays, no repeats). Then
reads it with :class:`coastwatch.nmea.NmeaReader` for each worker count, each
in a fresh process so that peak memory is that run's own, and prints
sentences per second, the ratio to plain pyais decoding of the same sentences
measured in the same run, and peak resident memory.

Usage::

    python scripts/bench_nmea.py [--sentences 1000000] [--workers 1 2]
        [--repeats 3] [--chunk-lines 500000] [--keep FILE]
"""

from __future__ import annotations

import argparse
import functools
import operator
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DISTINCT = 4000
STATIONS = [f"{2573000 + k}" for k in range(40)]
START = 1_733_782_000  # 2024-12-09T22:06:40Z


def _checksum(text: str) -> int:
    return functools.reduce(operator.xor, text.encode("ascii"), 0)


def _distinct_sentences(rng: random.Random) -> list[list[str]]:
    """Encode DISTINCT messages; each item is the message's sentence(s)."""
    from pyais.encode import encode_dict

    messages = []
    for k in range(DISTINCT):
        mmsi = 463_000_000 + rng.randrange(1_000_000)
        lat = round(rng.uniform(22.0, 26.0), 5)
        lon = round(rng.uniform(57.5, 68.0), 5)
        kind = k % 40
        if kind < 30:
            data = {
                "type": 1 + k % 3,
                "mmsi": mmsi,
                "status": rng.randrange(9),
                "speed": round(rng.uniform(0, 20), 1),
                "lat": lat,
                "lon": lon,
                "course": round(rng.uniform(0, 359.9), 1),
                "heading": rng.randrange(360),
                "second": rng.randrange(60),
            }
        elif kind < 37:
            data = {
                "type": 18,
                "mmsi": mmsi,
                "speed": round(rng.uniform(0, 10), 1),
                "lat": lat,
                "lon": lon,
                "course": round(rng.uniform(0, 359.9), 1),
                "heading": 511,
                "second": rng.randrange(60),
            }
        elif kind < 38:
            data = {
                "type": 27,
                "mmsi": mmsi,
                "lat": lat,
                "lon": lon,
                "speed": 7,
                "course": 90,
            }
        else:
            data = {
                "type": 5,
                "mmsi": mmsi,
                "shipname": f"DHOW {k}",
                "ship_type": 30,
                "to_bow": 12,
                "to_stern": 8,
            }
        channel = "AB"[k % 2]
        sentences = encode_dict(data, "AI", "VDM", channel, seq_id=k % 10)
        messages.append(sentences)
    return messages


# The AIS six-bit payload alphabet, in value order.
ARMOR = "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw"


def _variants(sentence: str):
    """Split a first sentence so that payload characters 3-5 (18 of the MMSI's
    30 bits) can be replaced: (before, after, checksum without them)."""
    body = sentence[1 : sentence.index("*")]
    fields = body.split(",")
    payload = fields[5]
    before = ",".join(fields[:5]) + "," + payload[:3]
    after = payload[6:] + "," + fields[6]
    return before, after, _checksum(before + after)


def build_file(path: Path, n_sentences: int, seed: int = 7) -> int:
    """Write the benchmark file; return the number of sentences written.

    Each message's MMSI is varied (payload characters 3-5 set from a counter),
    so that no two messages in the file share a payload: nothing is a relay,
    and nothing is decoded from a repeat.
    """
    rng = random.Random(seed)
    messages = _distinct_sentences(rng)
    split = [_variants(sentences[0]) for sentences in messages]
    station_xor = {s: _checksum(f"s:{s},c:") for s in STATIONS}
    char_xor = [ord(c) for c in ARMOR]
    written = 0
    per_second = 50  # sentences per second of receive time
    with open(path, "w", encoding="ascii", newline="\n") as out:
        lines = []
        k = 0
        while written < n_sentences:
            sentences = list(messages[k % DISTINCT])
            before, after, check = split[k % DISTINCT]
            code = k // DISTINCT
            chars = [(code >> 12) & 63, (code >> 6) & 63, code & 63]
            middle = "".join(ARMOR[c] for c in chars)
            for c in chars:
                check ^= char_xor[c]
            sentences[0] = f"!{before}{middle}{after}*{check:02X}"
            k += 1
            stamp = str(START + written // per_second)
            station = STATIONS[k % len(STATIONS)]
            check = station_xor[station] ^ _checksum(stamp)
            for sentence in sentences:
                lines.append(f"\\s:{station},c:{stamp}*{check:02X}\\{sentence}\n")
            written += len(sentences)
            if len(lines) >= 100_000:
                out.writelines(lines)
                lines = []
        out.writelines(lines)
    return written


def pyais_baseline(path: Path, limit: int = 100_000) -> float:
    """Sentences/s of pyais alone (``NMEAMessage(...).decode()``) on the
    single-sentence lines of the file, tag blocks removed."""
    from pyais.messages import NMEAMessage

    sentences = []
    with open(path, "rb") as stream:
        for line in stream:
            sentence = line[line.index(b"\\", 1) + 1 :].strip()
            if b",1,1," in sentence:
                sentences.append(sentence)
            if len(sentences) >= limit:
                break
    start = time.perf_counter()
    for sentence in sentences:
        NMEAMessage(sentence).decode()
    return len(sentences) / (time.perf_counter() - start)


def run_once(path: str, workers: int, chunk_lines: int) -> None:
    """Read the file once and print 'sentences seconds peak_kib rows'."""
    from coastwatch.accounting import FileReport
    from coastwatch.nmea import NmeaReader

    report = FileReport(path)
    reader = NmeaReader(path, report, chunk_lines=chunk_lines, workers=workers)
    rows = 0
    start = time.perf_counter()
    cpu_start = time.process_time()
    with open(path, "rb") as stream:
        for frame in reader.chunks(stream):
            rows += len(frame)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert report.read == report.accepted + report.rejected_total
    print(
        report.read,
        seconds,
        cpu,
        children.ru_utime + children.ru_stime,
        own.ru_maxrss,
        children.ru_maxrss,
        rows,
        dict(report.rejected),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--chunk-lines", type=int, default=500_000)
    parser.add_argument("--keep", help="write the file here and keep it")
    parser.add_argument("--run-once", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_once:
        path, workers, chunk_lines = args.run_once
        run_once(path, int(workers), int(chunk_lines))
        return

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "bench.nmea"
        start = time.perf_counter()
        n = build_file(path, args.sentences)
        size_mb = path.stat().st_size / 1e6
        print(
            f"built {path.name}: {n:,} sentences, {size_mb:.0f} MB "
            f"in {time.perf_counter() - start:.1f} s"
        )
        with open(path, "rb") as stream:
            while stream.read(1 << 24):  # warm the page cache
                pass
        for workers in args.workers:
            speeds, main_cpu, worker_cpu, peaks, baselines = [], [], [], [], []
            for _ in range(args.repeats):
                baselines.append(pyais_baseline(path))
                command = [sys.executable, __file__, "--run-once", str(path)]
                command += [str(workers), str(args.chunk_lines)]
                out = subprocess.run(
                    command, capture_output=True, text=True, check=True
                )
                fields = out.stdout.split(" ", 7)
                seconds, cpu, child_cpu = map(float, fields[1:4])
                peak, child_peak, rows = map(int, fields[4:7])
                speeds.append(n / seconds)
                main_cpu.append(cpu / n * 1e6)
                worker_cpu.append(child_cpu / n * 1e6)
                peaks.append(max(peak, child_peak) / 1024)
            speed = statistics.median(speeds)
            baseline = statistics.median(baselines)
            print(
                f"workers={workers}: {speed:,.0f} sentences/s wall "
                f"(median of {args.repeats}; {speed / baseline:.2f}x pyais alone "
                f"at {baseline:,.0f}/s in the same run); CPU per sentence "
                f"{statistics.median(main_cpu):.1f} us main + "
                f"{statistics.median(worker_cpu):.1f} us workers; peak memory "
                f"{max(peaks):.0f} MiB per process; {rows:,} rows; "
                f"rejected {fields[7].strip()}"
            )


if __name__ == "__main__":
    main()
