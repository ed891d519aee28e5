@testable import MemWatchCore

/// A simple model of how V8 reports a heap, to test detectors on known shapes
/// without node: a scavenge every `scavengeMs` reports the live heap plus the
/// garbage promoted to old space since the last full GC plus some survivors;
/// a full GC every `fullGCEveryMs` (or when promoted garbage passes
/// `fullGCGarbage`) reports the live heap alone.
struct SyntheticHeap {
    var live: (Double) -> Double  // seconds → MB
    var promotedMBPerSecond = 1.0
    var scavengeMs = 100.0
    var fullGCEveryMs = 6000.0
    var fullGCGarbageMB = 40.0
    /// V8 may stop running full GCs for a long while: none from this time on.
    var fullGCsStopAtMs = Double.infinity
    var id = IsolateID(pid: 42, isolate: 0xabc)

    func events(seconds: Double) -> [GCEvent] {
        var events: [GCEvent] = []
        var garbage = 0.0
        var lastFull = 0.0
        var t = scavengeMs
        var n = 0
        while t <= seconds * 1000 {
            n += 1
            let liveMB = live(t / 1000)
            garbage += promotedMBPerSecond * scavengeMs / 1000
            // Survivors vary a little from scavenge to scavenge.
            let survivors = Double((n * 7) % 5) * 0.2
            let full = t < fullGCsStopAtMs && (t - lastFull >= fullGCEveryMs || garbage >= fullGCGarbageMB)
            let after = full ? liveMB : liveMB + garbage + survivors
            if full {
                garbage = 0
                lastFull = t
            }
            events.append(GCEvent(
                id: id, timeMs: t, kind: full ? .markCompact : .scavenge,
                usedBefore: mb(after + 4), usedAfter: mb(after)))
            t += scavengeMs
        }
        return events
    }

    /// The first leak `detector` decides on these events, if any.
    func firstLeak<D: LeakDetector>(_ detector: D, seconds: Double) -> LeakFinding? {
        var detector = detector
        for event in events(seconds: seconds) {
            if case .leak(let finding) = detector.observe(event) { return finding }
        }
        return nil
    }
}
// Sizes use `mb(_:)` from GCTraceTestSupport.swift.
