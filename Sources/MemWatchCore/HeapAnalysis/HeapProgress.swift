/// Progress of a long analysis (bytes read, phase), handed to a callback only once the work
/// has taken more than a second, and then at most a few times per second.
public final class HeapProgress: @unchecked Sendable {
    public typealias Handler = (_ phase: String, _ bytesRead: Int, _ totalBytes: Int) -> Void

    private let handler: Handler
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var lastReport: ContinuousClock.Instant?
    private var phase = "reading"
    private var bytesRead = 0
    private var totalBytes = 0
    public private(set) var didReport = false

    public init(_ handler: @escaping Handler) {
        self.handler = handler
        start = clock.now
    }

    public func begin(phase: String) {
        self.phase = phase
        report(force: true)
    }

    public func read(_ bytes: Int, of total: Int) {
        bytesRead = bytes
        totalBytes = total
        report(force: false)
    }

    private func report(force: Bool) {
        let now = clock.now
        guard now - start > .seconds(1) else { return }
        if !force, let lastReport, now - lastReport < .milliseconds(250) { return }
        lastReport = now
        didReport = true
        handler(phase, bytesRead, totalBytes)
    }
}
