#!/usr/bin/env python3
"""Reads lines on stdin; writes each with the wall time it arrived ("<epoch> <line>")."""
import sys, time
out = open(sys.argv[1], "w")
for line in sys.stdin.buffer:
    out.write("%.6f %s\n" % (time.time(), line.decode("utf-8", "replace").rstrip("\n")))
out.close()
