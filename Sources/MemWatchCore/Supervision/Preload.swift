import Foundation
import Glibc

/// The script memwatchd has node load with `--require` (through
/// NODE_OPTIONS, so every node process under the command runs it, behind
/// npm or shell wrappers, in cluster workers and in worker threads).
///
/// It switches the GC trace on (`--trace-gc` is refused in NODE_OPTIONS, but
/// V8 honours it when set this early) and reports the process's facts as
/// `<MEMWATCHD_REPORT_DIR>/<pid>.json` (worker threads: `<pid>-<threadId>.json`),
/// written to a temp name and renamed so a reader never sees half a file.
/// It never prints: stdout is the app's and the trace's.
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
          try {
            const fs = require('fs');
            const path = require('path');
            const { threadId, isMainThread } = require('worker_threads');
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
            fs.writeFileSync(temp, JSON.stringify(report) + '\n', { mode: 0o644 });
            fs.renameSync(temp, file);
          } catch (_) { /* a report is a nicety; never disturb the app */ }
        })();

        """#

    /// Writes the script into `directory` (created if needed) atomically,
    /// mode 0644, and returns its path.
    @discardableResult
    public static func write(into directory: String) throws -> String {
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let path = (directory as NSString).appendingPathComponent(fileName)
        let temp = path + ".\(getpid()).tmp"
        guard FileManager.default.createFile(
            atPath: temp, contents: Data(script.utf8), attributes: [.posixPermissions: 0o644])
        else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temp])
        }
        chmod(temp, 0o644)  // createFile's mode passes through the umask
        guard rename(temp, path) == 0 else {
            let code = errno
            unlink(temp)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        return path
    }
}
