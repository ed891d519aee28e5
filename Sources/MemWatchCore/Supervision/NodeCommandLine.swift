import Foundation

/// Reads node's own options out of a node command line: the arguments
/// between the binary and the script (or `-e` code, or `--`).
enum NodeCommandLine {
    /// Node options that take their value as the next argument.
    static let optionsWithSeparateValue: Set<String> = [
        "-r", "--require", "--import", "--loader", "--experimental-loader",
        "-C", "--conditions", "--input-type", "--title", "--env-file", "--inspect-port",
        "--max-old-space-size", "--max_old_space_size", "--stack-size", "--stack_size",
        "--diagnostic-dir", "--heapsnapshot-signal", "--openssl-config", "--redirect-warnings",
        "--unhandled-rejections", "--icu-data-dir", "--secure-heap", "--disable-warning",
    ]
    /// Options whose value is the program itself: everything after it belongs to the app.
    static let programOptions: Set<String> = ["-e", "--eval", "-p", "--print"]

    /// node's own options from `arguments` (which excludes the binary).
    static func options(in arguments: some Collection<String>) -> [String] {
        var options: [String] = []
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            guard argument.hasPrefix("-"), argument != "-", argument != "--" else { break }
            options.append(argument)
            if programOptions.contains(argument) { break }
            if !argument.contains("="), optionsWithSeparateValue.contains(argument),
                let value = iterator.next()
            {
                options.append(value)
            }
        }
        return options
    }

    /// The option's name with `_` read as `-` (V8 accepts both) and without
    /// any `=value`.
    static func name(of option: String) -> String {
        let name = option.split(separator: "=", maxSplits: 1).first.map(String.init) ?? option
        return name.replacingOccurrences(of: "_", with: "-")
    }

    /// The value given to option `name` in a list of options (`--name=v` or
    /// `--name v`), the last one winning as in node.
    static func value(of name: String, in options: [String]) -> String? {
        var found: String?
        var index = options.startIndex
        while index < options.endIndex {
            let option = options[index]
            if Self.name(of: option) == name {
                if let equals = option.firstIndex(of: "=") {
                    found = String(option[option.index(after: equals)...])
                } else if index + 1 < options.endIndex {
                    found = options[index + 1]
                    index += 1
                }
            }
            index += 1
        }
        return found
    }
}
