import Foundation
import Glibc
import SystemPackage

/// The script memwatchd has node load with `--require` (through
/// NODE_OPTIONS, so every node process under the command runs it, behind
/// npm or shell wrappers, in cluster workers and in worker threads).
///
/// It switches the GC trace on (`--trace-gc` is refused in NODE_OPTIONS, but
/// V8 honours it when set this early) and reports the process's facts as
/// `<MEMWATCHD_REPORT_DIR>/<pid>.json` (worker threads: `<pid>-<threadId>.json`),
/// written to a temp name and renamed so a reader never sees half a file.
/// It never prints: stdout is the app's and the trace's.
///
/// In worker threads, when `MEMWATCHD_SNAPSHOT_DIR` is set, it also polls
/// once a second for `<report dir>/<pid>-<threadId>.snapshot-request` and
/// answers with `v8.writeHeapSnapshot()` of the worker's own heap (see
/// ``WorkerSnapshotRequest``).
public enum Preload {
    public static let fileName = "memwatchd-preload.cjs"

    public static let script = #"""
        // Written by memwatchd: switches on V8's GC trace and reports this
        // process's heap limit. Safe to delete; memwatchd writes it again.
        'use strict';
        (function memwatchdPreload() {
          let v8;
          try {
            v8 = require('v8');
            v8.setFlagsFromString('--trace-gc');
          } catch (_) { return; }
          const dir = process.env.MEMWATCHD_REPORT_DIR;
          if (!dir) return;
          let fs, path, threadId, isMainThread;
          try {
            fs = require('fs');
            path = require('path');
            ({ threadId, isMainThread } = require('worker_threads'));
            const report = {
              pid: process.pid,
              ppid: process.ppid,
              thread_id: threadId,
              is_main_thread: isMainThread,
              heap_size_limit: v8.getHeapStatistics().heap_size_limit,
              node_version: process.version,
              exec_argv: process.execArgv,
              argv: process.argv,
            };
            const name = isMainThread ? `${process.pid}.json` : `${process.pid}-${threadId}.json`;
            const file = path.join(dir, name);
            const temp = `${file}.${process.pid}-${threadId}.tmp`;
            fs.writeFileSync(temp, JSON.stringify(report) + '\n', { mode: 0o600 });
            fs.renameSync(temp, file);
          } catch (_) { return; /* a report is a nicety; never disturb the app */ }

          // The main isolate announces itself with one young-generation GC
          // (under a millisecond on a fresh heap) before the app can start a
          // worker: memwatchd takes the first isolate a process traces for its
          // main thread. After the report, so memwatchd finds the report when
          // it sees that line. gc is borrowed without leaving it exposed.
          try {
            if (isMainThread) {
              let gc = globalThis.gc;
              if (typeof gc !== 'function') {
                v8.setFlagsFromString('--expose-gc');
                gc = require('vm').runInNewContext('gc');
                v8.setFlagsFromString('--no-expose-gc');
              }
              gc({ type: 'minor' });
            }
          } catch (_) { /* no announcement: the first isolate to GC is taken for the main one */ }

          // A worker thread's heap is not in the SIGUSR2 snapshot (that is
          // the main thread's), so a worker writes its own when memwatchd
          // drops a request file for it. One stat a second, on a timer that
          // never keeps the thread alive.
          const snapshotDir = process.env.MEMWATCHD_SNAPSHOT_DIR;
          if (isMainThread || !snapshotDir) return;
          const base = path.join(dir, `${process.pid}-${threadId}`);
          let seq = 0;
          const timer = setInterval(() => {
            const claimed = `${base}.snapshot-request.taken`;
            try { fs.renameSync(`${base}.snapshot-request`, claimed); } catch (_) { return; }
            const result = { pid: process.pid, thread_id: threadId };
            try {
              const d = new Date();
              const p2 = (n) => String(n).padStart(2, '0');
              const stamp = `${d.getFullYear()}${p2(d.getMonth() + 1)}${p2(d.getDate())}.${p2(d.getHours())}${p2(d.getMinutes())}${p2(d.getSeconds())}`;
              const file = path.join(snapshotDir, `Heap.${stamp}.${process.pid}.${threadId}.${++seq}.heapsnapshot`);
              // Created 0600 first: V8 truncates and fills the file, keeping the mode.
              const fd = fs.openSync(file, 'wx', 0o600);
              try { v8.writeHeapSnapshot(file); } finally { fs.closeSync(fd); }
              result.path = file;
            } catch (e) {
              result.error = String(e && e.message || e);
            }
            try {
              fs.writeFileSync(`${base}.snapshot.tmp`, JSON.stringify(result) + '\n', { mode: 0o600 });
              fs.renameSync(`${base}.snapshot.tmp`, `${base}.snapshot.json`);
              fs.rmSync(claimed, { force: true });
            } catch (_) {}
          }, 1000);
          timer.unref();
        })();

        """#

    /// Writes the script into `directory` (one of the state directory's,
    /// already checked) atomically, mode 0600 whatever the umask, and returns
    /// its path. The temp file is made with `O_EXCL | O_NOFOLLOW`: nothing
    /// planted under its name is followed or reused.
    @discardableResult
    public static func write(into directory: String) throws(WriteError) -> String {
        let path = (directory as NSString).appendingPathComponent(fileName)
        let temp = path + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd: Int32
        do {
            fd = try SystemCall.value { open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600) }
        } catch {
            throw WriteError(path: path, failure: error)
        }
        let bytes = Array(script.utf8)
        let written = Result { () throws(Errno) in
            try SystemCall.value { bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } }
        }
        fchmod(fd, 0o600)
        close(fd)
        do throws(Errno) {
            // A short write to a file is a full disk.
            guard try written.get() == bytes.count else { throw Errno.noSpace }
            try SystemCall.value { rename(temp, path) }
        } catch {
            unlink(temp)
            throw WriteError(path: path, failure: error)
        }
        return path
    }

    /// The preload could not be written where node is to load it from.
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var failure: Errno

        public var description: String { "cannot write the preload script \(path): \(failure)" }
    }
}
