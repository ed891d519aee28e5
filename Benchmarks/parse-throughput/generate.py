#!/usr/bin/env python3
"""Writes a large GC log for the parse-throughput benchmark.

usage: generate.py OUT SIZE_MB

Repeats real lines recorded from Node 20, 22 and 24 (Tests/Fixtures/traces):
--trace-gc lines of every kind, a few --trace-gc-nvp and --trace-gc-verbose
lines and some app output, as many processes with their own pids, isolates
and rising timestamps, in the proportions of the recorded logs.
"""
import os
import random
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "Fixtures", "traces")
head = re.compile(rb"^\[\d+:0x[0-9a-f]+(?::\d+)?\]\s+\d+ ms: ")

def bodies(name, pattern=rb""):
    out = []
    for version in ("node20", "node22", "node24"):
        with open(os.path.join(root, version, name), "rb") as f:
            for line in f:
                m = head.match(line)
                if m and pattern in line:
                    out.append(line[m.end():])
    return out

gc = bodies("ok_request_churn.log") + bodies("leak_global_list.log") + bodies("leak_session_store.log")
nvp = bodies("leak_global_list.nvp.log")
verbose = []
for version in ("node20", "node22", "node24"):
    with open(os.path.join(root, version, "leak_global_list.verbose.log"), "rb") as f:
        verbose += [re.sub(rb"^\[\d+:0x[0-9a-f]+\] ", b"", l) for l in f if b" ms: " not in l]
app = [b"GET /api/orders/1234 200 12.431 ms - 512\n",
       b'{"level":30,"time":1700000000000,"pid":4242,"msg":"request completed","responseTime":3}\n',
       b"[INFO] worker 3 processed batch of 250 items\n"]

out_path, size_mb = sys.argv[1], int(sys.argv[2])
target = size_mb * 1024 * 1024
rnd = random.Random(7)
written = 0
chunk = []
chunk_bytes = 0
with open(out_path, "wb", buffering=1 << 22) as f:
    while written < target:
        pid = rnd.randint(1000, 4_000_000)
        isolate = b"0x%x" % rnd.randint(0x1000000, 0x7fffffffffff)
        prefix = b"[%d:%s]" % (pid, isolate)
        stamp = rnd.randint(20, 200)
        for _ in range(rnd.randint(2000, 8000)):
            stamp += rnd.randint(1, 40)
            r = rnd.random()
            if r < 0.90:
                line = b"%s %8d ms: %s" % (prefix, stamp, rnd.choice(gc))
            elif r < 0.92:
                line = b"%s %8d ms: %s" % (prefix, stamp, rnd.choice(nvp))
            elif r < 0.97:
                line = prefix + b" " + rnd.choice(verbose)
            else:
                line = rnd.choice(app)
            chunk.append(line)
            chunk_bytes += len(line)
        f.write(b"".join(chunk))
        written += chunk_bytes
        chunk, chunk_bytes = [], 0
print(written)
