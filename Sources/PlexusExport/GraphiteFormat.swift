/// Carbon's plaintext protocol: `path value timestamp\n` lines, with paths made as gmetad makes
/// them (`docs/exports.md#graphite`). From gmetad's `export_helpers.c`:
/// - the path is `graphite_prefix.` + `graphite_path` with `%s` the cluster (gmetad's source
///   name), `%h` the host and `%m` the metric, or `cluster.host.metric` without a template;
/// - spaces in the cluster and the metric become `_`, dots in the host become `_` (a host's
///   domain would otherwise become levels of the tree), and the host is lower-cased unless
///   `case_sensitive_hostnames`.
///
/// Where gmetad errs, this doesn't: a one-character prefix is used (gmetad ignores it), the
/// prefix keeps its case, a metric's spaces become `_` with or without a template (gmetad leaves
/// them without one, which cuts the line), and every whitespace, not only the space, is replaced.
/// Summaries, which gmetad doesn't send, go as their RRD files are laid out: the host is
/// `__SummaryInfo__`, the root summary's cluster is the grid's name, and the sum and the number
/// of hosts are two values, `….sum` and `….num`.
public struct GraphiteFormat: Sendable {
    public var prefix: String?
    public var template: String?
    public var caseSensitiveHostnames: Bool

    public init(prefix: String? = nil, template: String? = nil, caseSensitiveHostnames: Bool = true) {
        self.prefix = prefix
        self.template = template
        self.caseSensitiveHostnames = caseSensitiveHostnames
    }

    /// The line (or, for a summary, the two lines) of `sample`, appended to `lines`; nothing
    /// for a value that isn't finite (carbon would store it as it is).
    public func append(_ sample: ExportSample, to lines: inout [UInt8]) {
        guard sample.value.isFinite else { return }
        let base = path(sample)
        if let num = sample.num {
            guard num.isFinite else { return }
            Self.line(base + ".sum", sample.value, sample.time, &lines)
            Self.line(base + ".num", num, sample.time, &lines)
        } else {
            Self.line(base, sample.value, sample.time, &lines)
        }
    }

    /// The path of a sample's value (a summary's, without `.sum` or `.num`).
    public func path(_ sample: ExportSample) -> String {
        let (cluster, host): (String, String)
        switch sample.place {
        case .host(let c, let h): (cluster, host) = (c, caseSensitiveHostnames ? h : h.lowercased())
        case .cluster(let c): (cluster, host) = (c, "__SummaryInfo__")
        case .grid(let g): (cluster, host) = (g, "__SummaryInfo__")
        }
        let s = Self.level(cluster, dots: false)
        let h = Self.level(host, dots: true)
        let m = Self.level(sample.metric, dots: false)
        let body: String
        if let template {
            body = Self.expand(template, s: s, h: h, m: m)
        } else {
            body = s + "." + h + "." + m
        }
        guard let prefix else { return body }
        return prefix + "." + body
    }

    /// A name as one level of the tree: whitespace becomes `_`, and dots too for a host.
    static func level(_ name: String, dots: Bool) -> String {
        guard name.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F || (dots && $0 == UInt8(ascii: ".")) }) else { return name }
        return String(
            String.UnicodeScalarView(
                name.unicodeScalars.map { scalar in
                    scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7F || (dots && scalar == ".") ? "_" : scalar
                }))
    }

    /// `%s`, `%h` and `%m` replaced, each where it stands in the template (a replacement is
    /// never read again for macros, unlike gmetad's repeated search).
    static func expand(_ template: String, s: String, h: String, m: String) -> String {
        var out = ""
        var chars = template.makeIterator()
        while let c = chars.next() {
            guard c == "%" else {
                out.append(c)
                continue
            }
            switch chars.next() {
            case "s": out += s
            case "h": out += h
            case "m": out += m
            case let other?: out += "%" + String(other)
            case nil: out += "%"
            }
        }
        return out
    }

    static func line(_ path: String, _ value: Double, _ time: Int64, _ lines: inout [UInt8]) {
        lines += path.utf8
        lines.append(UInt8(ascii: " "))
        lines += ValueText.shortest(value).utf8
        lines.append(UInt8(ascii: " "))
        lines += String(time).utf8
        lines.append(UInt8(ascii: "\n"))
    }
}

/// A value as the shortest text that reads back as the same double: integers without `.0`
/// (what Ganglia's XML carries), others as Swift prints them (`0.5`, `1e+300`).
enum ValueText {
    static func shortest(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
