import Glibc
import SystemPackage
import Testing
@testable import MemWatchCore

@Suite struct SystemCallTests {
    @Test func anInterruptedCallIsMadeAgain() throws {
        var calls = 0
        let result = try SystemCall.value { () -> Int32 in
            calls += 1
            if calls < 3 {
                errno = EINTR
                return -1
            }
            return 7
        }
        #expect(result == 7)
        #expect(calls == 3)
    }

    @Test func failuresComeOutAsErrno() {
        #expect(throws: Errno.noSuchFileOrDirectory) {
            try SystemCall.value { open("/nonexistent/memwatchd", O_RDONLY | O_CLOEXEC) }
        }
        #expect(throws: Errno.noSuchFileOrDirectory) {
            try SystemCall.pointer { opendir("/nonexistent/memwatchd") }
        }
        // posix_spawn and friends return the error number itself.
        #expect(throws: Errno.permissionDenied) { try SystemCall.status { EACCES } }
        #expect(throws: Never.self) { try SystemCall.status { 0 } }
    }

    @Test func errorsReadAsBeforeWithTheSystemsWords() {
        #expect(SupervisorError.cannotExecute(command: "nodee", .noSuchFileOrDirectory).description
            == "cannot run 'nodee': No such file or directory (is it installed and on PATH?)")
        #expect(SupervisorError.system("pipe", .tooManyOpenFiles).description == "pipe failed: Too many open files")
        #expect(ProcessHandleError.cannotOpen(pid: 7, .permissionDenied).description
            == "cannot open a pidfd for pid 7: Permission denied")
        #expect(StateDirectoryError.cannotCreate(path: "/x/y", .permissionDenied).description
            == "cannot create directory /x/y: Permission denied")
        #expect(SnapshotWatchError.cannotWatch(path: "/s", .noSpace).description
            == "cannot watch snapshot directory /s: No space left on device")
        #expect(SnapshotFileError.io(operation: "pread", .ioError).description == "pread failed: Input/output error")
        #expect(LineReaderError(failure: .ioError).description == "read failed: Input/output error")
        #expect(GCTraceFileError.cannotOpen(path: "/gc.log", .permissionDenied).description
            == "cannot read GC log /gc.log: Permission denied")
        #expect(GCTraceFileError.cannotRead(path: "/gc.log", .ioError).description
            == "cannot read GC log /gc.log: read failed: Input/output error")
        #expect(HeapSnapshotError(cannotOpen: "/h", byteOffset: 8, operation: "read", failure: .ioError).description
            == "/h: cannot open at byte 8: read failed: Input/output error")
    }
}
