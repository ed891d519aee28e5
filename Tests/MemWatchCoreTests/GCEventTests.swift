import Testing
@testable import MemWatchCore

@Test func isolateIDPrintsAddressLikeV8() {
    let id = IsolateID(pid: 2216, isolate: 0x1c05_4840)
    #expect(id.isolateHex == "0x1c054840")
    #expect(id.description == "2216:0x1c054840")
    #expect(GCKind.markCompact.isFull && !GCKind.scavenge.isFull)
}
