#!/usr/bin/env python3
"""Python feedparser over the same corpora as `cargo bench -p syndic-feed --bench parse`.

Prints MB/s and entries/s of `feedparser.parse(bytes)` (the whole document in memory, no
network), so the Rust figures can be set beside it ("at least 20x feedparser", issue 5
item 9). Files feedparser raises on are counted as errors; bozo documents count as read.

Usage:
    cargo bench -p syndic-feed --bench parse -- --write-synthetic /tmp/synthetic
    python3 crates/feed/benches/feedparser_bench.py \
        --real ../shared/corpus/real --synthetic /tmp/synthetic [--synthetic-mb 20]

`--synthetic-mb` (default 20) reads an evenly spread sample of the synthetic files of about
that size: feedparser runs at a few MB/s, so all of 200 MB would take minutes. The sample
always includes the podcasts. Peak memory is this process's max RSS (ru_maxrss). As in the
Rust bench, MB/s and entries/s are per CPU second (time.process_time), "secs" is wall time.
"""

import argparse
import os
import resource
import sys
import time

import feedparser


def feed_files(folder):
    names = sorted(n for n in os.listdir(folder) if n != "MANIFEST.tsv")
    return [os.path.join(folder, n) for n in names if os.path.isfile(os.path.join(folder, n))]


def sample(paths, megabytes):
    """About `megabytes` MB of `paths`, every k-th file, podcasts always kept."""
    total = sum(os.path.getsize(p) for p in paths)
    budget = megabytes * 1_000_000
    if total <= budget:
        return paths
    step = max(1, round(total / budget))
    return [p for i, p in enumerate(paths) if i % step == 0 or "podcast" in p]


def bench(label, paths):
    docs = []
    for path in paths:
        with open(path, "rb") as f:
            docs.append(f.read())
    size = sum(len(d) for d in docs)
    entries = errors = bozo = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    for doc in docs:
        try:
            parsed = feedparser.parse(doc)
        except Exception:  # noqa: BLE001 - any failure of the parser counts as an error
            errors += 1
            continue
        entries += len(parsed.entries)
        bozo += 1 if parsed.get("bozo") else 0
    secs = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{label:<40} {size / 1e6 / cpu:>7.2f} {entries / cpu:>10.0f} {entries:>8} "
        f"{errors:>6} {bozo:>5} {secs:>8.2f} {100 * cpu / secs:>5.0f} {peak_mb:>9.1f}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--real", help="the real corpus folder")
    parser.add_argument("--synthetic", help="a folder written by --write-synthetic")
    parser.add_argument("--synthetic-mb", type=float, default=20)
    args = parser.parse_args()
    print(f"feedparser {feedparser.__version__}, Python {sys.version.split()[0]}")
    print(
        f"{'corpus':<40} {'MB/s':>7} {'entries/s':>10} {'entries':>8} "
        f"{'errors':>6} {'bozo':>5} {'secs':>8} {'cpu%':>5} {'peak MB':>9}"
    )
    if args.real:
        if os.path.isdir(args.real):
            paths = feed_files(args.real)
            mb = sum(os.path.getsize(p) for p in paths) / 1e6
            bench(f"real ({len(paths)} files, {mb:.1f} MB)", paths)
        else:
            print(f"real: skipped, {args.real} not present")
    if args.synthetic:
        paths = sample(feed_files(args.synthetic), args.synthetic_mb)
        mb = sum(os.path.getsize(p) for p in paths) / 1e6
        bench(f"synthetic sample ({len(paths)} files, {mb:.1f} MB)", paths)


if __name__ == "__main__":
    main()
