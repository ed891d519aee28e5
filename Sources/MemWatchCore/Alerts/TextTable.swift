/// Rows in columns two spaces apart, under a header: the one way `heap`,
/// `events` and `analyze` print a table. Widths count characters, so `→` or
/// `×` in a cell takes one column.
public struct TextTable {
    public enum Alignment: Sendable {
        case left, right
    }

    public struct Column: Sendable {
        public var title: String
        public var alignment: Alignment
        /// A longer cell is cut to this many characters, ending in `...`, so
        /// one long name cannot push every other column off the screen.
        public var maxWidth: Int?

        public static func left(_ title: String, maxWidth: Int? = nil) -> Column {
            Column(title: title, alignment: .left, maxWidth: maxWidth)
        }

        public static func right(_ title: String) -> Column {
            Column(title: title, alignment: .right, maxWidth: nil)
        }
    }

    public let columns: [Column]
    /// One cell per column in each row.
    public var rows: [[String]]

    public init(_ columns: [Column], rows: [[String]] = []) {
        self.columns = columns
        self.rows = rows
    }

    /// The header and the rows, each line ending in a newline. A left-aligned
    /// last column is not padded, so no line ends in spaces.
    public var text: String {
        let lines = ([columns.map(\.title)] + rows).map { row in
            zip(row, columns).map { cell, column in Self.cut(cell, to: column.maxWidth) }
        }
        var widths = [Int](repeating: 0, count: columns.count)
        for line in lines {
            for (index, cell) in line.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return lines.map { line in
            line.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                switch columns[index].alignment {
                case .right: return padding + cell
                case .left: return index == columns.count - 1 ? cell : cell + padding
                }
            }.joined(separator: "  ") + "\n"
        }.joined()
    }

    private static func cut(_ cell: String, to maxWidth: Int?) -> String {
        guard let maxWidth, cell.count > maxWidth else { return cell }
        return String(cell.prefix(max(maxWidth - 3, 0))) + "..."
    }
}
