/// Where a process sits in the process tree, from `/proc/PID/stat`.
public struct ProcParentage: Sendable, Equatable {
    public var pid: Int32
    public var parentPID: Int32
    public var processGroup: Int32
    public var session: Int32
    public var state: Character

    public var isZombie: Bool { state == "Z" || state == "X" }

    /// `pid (comm) state ppid pgrp session ...`; comm may hold spaces and
    /// parentheses, so fields are counted from the last `)`.
    public init?(parsingStat text: String) {
        guard let open = text.firstIndex(of: " "), let close = text.lastIndex(of: ")"),
            let pid = Int32(text[..<open])
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count >= 4, let state = fields[0].first,
            let ppid = Int32(fields[1]), let pgrp = Int32(fields[2]), let session = Int32(fields[3])
        else { return nil }
        self.pid = pid
        self.parentPID = ppid
        self.processGroup = pgrp
        self.session = session
        self.state = state
    }
}
