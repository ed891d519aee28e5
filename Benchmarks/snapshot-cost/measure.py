#!/usr/bin/env python3
"""What a SIGUSR2 heap snapshot costs in memory, per node version, heap shape and size.

For each run: start heap-shape.js, read its heap after a full GC, reset the
peak RSS (`echo 5 > /proc/PID/clear_refs` resets VmHWM), send SIGUSR2, wait
until node has closed the .heapsnapshot, then read VmHWM. Peak extra RSS is
VmHWM minus VmRSS before the signal. A 10 ms VmRSS sampler cross-checks VmHWM.
Each snapshot is deleted as soon as it is measured.

  measure.py --node 20=/usr/bin/node --node 22=PATH ... --shapes small,strings --sizes 30,100,250 [--json]
"""
import argparse, json, os, signal, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
MB = 1 << 20


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def snapshot_open(pid, path):
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            if os.readlink(os.path.join(fd_dir, fd)) == path:
                return True
        except OSError:
            pass
    return False


def snapshot_counts(path):
    """node_count and edge_count from the snapshot's meta header."""
    with open(path, "rb") as f:
        head = f.read(8192).decode("utf-8", "replace")
    counts = {}
    for key in ("node_count", "edge_count"):
        at = head.find(f'"{key}":')
        if at >= 0:
            digits = head[at + len(key) + 3:].split(",", 1)[0].split("}", 1)[0]
            counts[key] = int(digits)
    return counts


def measure(node, shape, megabytes, work):
    app = subprocess.Popen(
        [node, "--expose-gc", "--heapsnapshot-signal=SIGUSR2", f"--diagnostic-dir={work}",
         "--max-old-space-size=8192", os.path.join(HERE, "heap-shape.js"), shape, str(megabytes)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        ready = json.loads(app.stdout.readline())
        pid = app.pid
        rss_before = status_kb(pid, "VmRSS")
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        sampled = [rss_before]
        done = threading.Event()

        def sample():
            while not done.is_set():
                try:
                    sampled.append(status_kb(pid, "VmRSS"))
                except (OSError, KeyError):
                    return
                time.sleep(0.01)

        sampler = threading.Thread(target=sample)
        sampler.start()
        start = time.monotonic()
        os.kill(pid, signal.SIGUSR2)
        path = None
        while path is None or snapshot_open(pid, path):
            if app.poll() is not None:
                raise RuntimeError(f"node exited with {app.returncode} while writing")
            if path is None:
                names = [n for n in os.listdir(work) if n.endswith(".heapsnapshot")]
                path = os.path.join(work, names[0]) if names else None
            time.sleep(0.01)
        seconds = time.monotonic() - start
        peak = status_kb(pid, "VmHWM")
        done.set()
        sampler.join()
        file_bytes = os.path.getsize(path)
        counts = snapshot_counts(path)
        os.unlink(path)
        heap = ready["heapUsed"]
        extra = max(peak, max(sampled)) - rss_before
        return {
            "node": ready["node"], "shape": shape, "heap_mb": heap / MB, "rss_before_mb": rss_before / MB,
            "peak_extra_mb": extra / MB, "ratio": extra / heap, "file_ratio": file_bytes / heap,
            "nodes": counts.get("node_count"), "edges": counts.get("edge_count"),
            "extra_per_node": extra / counts["node_count"] if counts.get("node_count") else None,
            "sampled_peak_mb": (max(sampled) - rss_before) / MB, "seconds": seconds,
        }
    finally:
        app.stdin.close()
        app.wait()
        for name in os.listdir(work):
            if name.endswith(".heapsnapshot"):
                os.unlink(os.path.join(work, name))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--node", action="append", required=True, help="LABEL=PATH")
    parser.add_argument("--shapes", default="small,strings,tiny,graph,maps,mixed")
    parser.add_argument("--sizes", default="30,100,250")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    work = os.path.realpath(tempfile.mkdtemp(prefix="memwatchd-snapshot-cost."))  # as /proc/PID/fd names it
    if not args.json:
        print("| node | shape | heap MB | peak extra RSS MB | extra / heap | file / heap | nodes | edges | extra B / node | s |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    try:
        for entry in args.node:
            _, node = entry.split("=", 1)
            for shape in args.shapes.split(","):
                for size in args.sizes.split(","):
                    row = measure(node, shape, int(size), work)
                    if args.json:
                        print(json.dumps(row), flush=True)
                    else:
                        per_node = f"{row['extra_per_node']:.0f}" if row["extra_per_node"] else "?"
                        print(f"| {row['node']} | {shape} | {row['heap_mb']:.0f} | {row['peak_extra_mb']:.0f} | "
                              f"{row['ratio']:.2f} | {row['file_ratio']:.2f} | {row['nodes']} | {row['edges']} | "
                              f"{per_node} | {row['seconds']:.1f} |", flush=True)
    finally:
        os.rmdir(work)


if __name__ == "__main__":
    sys.exit(main())
