import Testing
@testable import MemWatchCore

@Suite struct TextTableTests {
    @Test func columnsAlignAsToldAndTheLastIsNotPadded() {
        let table = TextTable([.left("NAME"), .right("COUNT"), .left("NOTE")], rows: [
            ["Session", "3", "grew a lot"],
            ["(string)", "1200", "kept"],
        ])
        #expect(table.text == """
            NAME      COUNT  NOTE
            Session       3  grew a lot
            (string)   1200  kept

            """)
    }

    @Test func aLongCellIsCutToItsColumnsWidth() {
        let table = TextTable([.left("Name", maxWidth: 10), .right("Size")], rows: [["ABCDEFGHIJKLMNOP", "1 B"]])
        #expect(table.text == "Name        Size\nABCDEFG...   1 B\n")
    }

    @Test func widthsCountCharactersNotBytes() {
        let table = TextTable([.left("FLOOR"), .left("X")], rows: [["1 → 2", "x"]])
        #expect(table.text == "FLOOR  X\n1 → 2  x\n")
    }
}
