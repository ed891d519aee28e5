#!/usr/bin/env python3
"""Seeds the fuzz corpora from the test fixtures, small: distinct trace lines
for the line target, slices of whole logs (behind each harness's split
script) for the chunked targets, the tiny snapshots in Fuzz/seeds/heap for
the heap reader.

usage: make-seeds.py REPO CORPUS_DIR
"""
import hashlib
import pathlib
import shutil
import sys

repo, corpus = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
logs = sorted(p for d in ("gc-lines", "traces", "adversarial")
              for p in (repo / "Tests/Fixtures" / d).rglob("*.log"))


def write(target, data):
    directory = corpus / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)


# One of each line shape: the first line per (file, leading word after the stamp).
seen = set()
for log in logs:
    for line in log.read_bytes().splitlines(keepends=True):
        words = line.split()
        shape = (log.name, words[2] if len(words) > 2 else b"", len(words))
        if shape not in seen and len(line) < 1024:
            seen.add(shape)
            write("gc-line", line)

# Slices of each log: line-aligned, under 1 KB, with split scripts in front.
for log in logs:
    lines = log.read_bytes().splitlines(keepends=True)
    for first in range(0, len(lines), max(1, len(lines) // 4)):
        data = b""
        for line in lines[first:]:
            if len(data) + len(line) > 900:
                break
            data += line
        if data:
            write("gc-chunked", bytes([30]) + data)                 # buffer of 32 bytes
            write("trace-filter", bytes([3, 7, 64, 1]) + data)     # chunks of 7, 64, 1 bytes
            write("trace-filter", bytes([0]) + data)                # one chunk

for seed in sorted((repo / "Fuzz/seeds/heap").iterdir()):
    (corpus / "heap-snapshot").mkdir(parents=True, exist_ok=True)
    shutil.copy(seed, corpus / "heap-snapshot" / seed.name)
