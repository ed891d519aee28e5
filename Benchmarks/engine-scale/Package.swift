// swift-tools-version:6.1
// Benchmark, not a test: its own package so `swift test` never builds or runs it.
import PackageDescription

let package = Package(
    name: "engine-scale",
    dependencies: [.package(name: "memwatchd", path: "../..")],
    targets: [
        .executableTarget(
            name: "EngineScale",
            dependencies: [.product(name: "MemWatchCore", package: "memwatchd")]
        )
    ]
)
