import ServiceLifecycle

/// The host sampler as a service: every interval, one round over the
/// processes the engine holds, handed back to it. Ends on graceful shutdown.
public struct SamplingService: Service {
    public let sampler: HostSampler
    public let interval: Duration
    public let engine: WatchEngine

    public init(sampler: HostSampler, interval: Duration, engine: WatchEngine) {
        self.sampler = sampler
        self.interval = interval
        self.engine = engine
    }

    public func run() async {
        // Only cancellation ends the loop, and it is this service's end, not an error.
        try? await cancelWhenGracefulShutdown {
            var memberships = HostSampler.Memberships()
            while true {
                let round = sampler.sample(await engine.watchedPIDs, memberships: &memberships)
                await engine.sampled(round)
                try await Task.sleep(for: interval)
            }
        }
    }
}
