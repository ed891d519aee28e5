#!/usr/bin/env python3
"""Latencies of one `memwatchd run` from its event store and either an strace
log (method A) or stamped stdout lines (method B). Prints one line of figures.

  analyze.py strace EVENTS.json STRACE.log
  analyze.py stamps EVENTS.json STAMPED.txt SNAPSHOT_DIR
"""
import json, os, re, subprocess, sys

def leak_and_snapshot(events_path):
    events = json.load(open(events_path))
    leak = next(e for e in events if e["type"] == "leak")
    snap = next((e for e in events if e["type"] == "snapshot"), None)
    at = leak["details"]["at_ms"]
    return leak, snap, "%d" % at if float(at).is_integer() else "%g" % at

def deciding_line(leak, at):
    return re.compile(r"\[%d:%s\] +%s ms: " % (leak["pid"], re.escape(leak["isolate"]), re.escape(at)))

# strace -f -ttt -T: "PID EPOCH.USEC call(args) = R <DUR>"; when threads
# interleave, "PID EPOCH.USEC call(args <unfinished ...>" and later
# "PID EPOCH.USEC <... call resumed>rest) = R <DUR>". Calls come out whole as
# (pid, start, name, args, result, duration).
STRACE = re.compile(r"^(\d+)\s+(\d+\.\d+)\s+(\w+)\((.*)\)\s+=\s+(-?\d+).*<(\d+\.\d+)>$")
UNFINISHED = re.compile(r"^(\d+)\s+(\d+\.\d+)\s+(\w+)\((.*) <unfinished \.\.\.>$")
RESUMED = re.compile(r"^(\d+)\s+(\d+\.\d+)\s+<\.\.\. (\w+) resumed>(.*)\)\s+=\s+(-?\d+).*<(\d+\.\d+)>$")

def strace_calls(path):
    pending = {}
    for line in open(path, errors="replace"):
        line = line.rstrip("\n")
        m = STRACE.match(line)
        if m:
            yield m.groups()
            continue
        m = UNFINISHED.match(line)
        if m:
            pid, start, name, args = m.groups()
            pending[pid] = (start, args)
            continue
        m = RESUMED.match(line)
        if m:
            pid, returned, name, rest, result, duration = m.groups()
            start, args = pending.pop(pid, ("%.6f" % (float(returned) - float(duration)), ""))
            yield pid, start, name, args + rest, result, duration

def from_strace(events_path, log_path):
    leak, snap, at = leak_and_snapshot(events_path)
    pattern = deciding_line(leak, at)
    calls = sorted(strace_calls(log_path), key=lambda c: float(c[1]))
    read_end = signal_start = None
    for tid, start, name, args, result, duration in calls:
        start, duration = float(start), float(duration)
        if read_end is None:
            if name == "read" and pattern.search(args):
                read_end = start + duration
        elif name == "pidfd_send_signal":
            signal_start, signal_end = start, start + duration
            break
    if read_end is None or signal_start is None:
        sys.exit("deciding GC line (%s) or the signal not found in %s" % (pattern.pattern, log_path))
    out = "gc-line read -> pidfd_send_signal: %.3f ms (to its return %.3f ms)" % (
        (signal_start - read_end) * 1e3, (signal_end - read_end) * 1e3)
    if snap:
        # The inotify read that names the snapshot, then the first SQLite
        # write (WAL) that holds its path: the event recorded.
        name = os.path.basename(snap["path"])
        close = record = None
        for tid, start, call, args, result, duration in calls:
            if call == "read" and name in args:
                close = float(start) + float(duration)
            elif close is not None and call == "pwrite64" and name in args:
                record = float(start) + float(duration)
                break
        if close is not None and record is not None:
            out += "; inotify IN_CLOSE_WRITE read -> event written to the WAL: %.3f ms" % ((record - close) * 1e3)
    print(out)

def from_stamps(events_path, stamped_path, snapshot_dir):
    leak, snap, at = leak_and_snapshot(events_path)
    pattern = deciding_line(leak, at)
    seen = next((float(l.split(" ", 1)[0]) for l in open(stamped_path, errors="replace") if pattern.search(l)), None)
    if seen is None or snap is None:
        sys.exit("deciding GC line or snapshot missing")
    born = float(subprocess.check_output(["stat", "--format=%.9W", snap["path"]]).decode())
    print("gc-line seen downstream -> snapshot file created: %.3f ms" % ((born - seen) * 1e3))

if __name__ == "__main__":
    {"strace": from_strace, "stamps": from_stamps}[sys.argv[1]](*sys.argv[2:])
