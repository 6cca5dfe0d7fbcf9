import PlexusCore

/// How plugins' series become Ganglia metric names (`docs/plugins.md`), predictably: a plugin's
/// own name for a series without labels; with labels, the name and each label's value in label
/// name order, joined by dots, each value folded to `[A-Za-z0-9_:-]` (a run of anything else is
/// one `_`; trimmed; empty `_`). `node_inotify_instances{user="root",uid="0"}` is `node_inotify_instances.0.root`;
/// `node_filesystem_avail_bytes{mountpoint="/var/log"}` is `node_filesystem_avail_bytes.var_log`.
public enum PluginNames {
    /// The metric name of a Prometheus sample, or nil when it can't be one (too long).
    public static func metricName(_ sample: PrometheusText.Sample) -> MetricName? {
        var name = sample.name
        for label in sample.labels.sorted(by: { $0.name < $1.name }) { name += "." + fold(label.value) }
        return MetricName(validating: name)
    }

    /// The metric name of a Munin field: the plugin's name (or its multigraph's), a dot, the
    /// field (`load.load`, `cpu.user`): never one of the agent's own names, which have no dot.
    public static func metricName(plugin: String, multigraph: String?, field: String) -> MetricName? {
        MetricName(validating: fold(multigraph ?? plugin) + "." + field)
    }

    /// The labels as a human reads them, for the metric's TITLE: `{mountpoint="/var/log"}`.
    public static func labelText(_ labels: [PrometheusText.Label]) -> String {
        labels.isEmpty ? "" : "{" + labels.sorted(by: { $0.name < $1.name }).map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",") + "}"
    }

    /// A label value as a name piece.
    static func fold(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            let kept = scalar.isASCII && (CharacterSetASCII.isAlphanumeric(UInt8(scalar.value)) || "_:-".unicodeScalars.contains(scalar))
            // A run of anything else is one `_`.
            if kept {
                out.unicodeScalars.append(scalar)
            } else if out.unicodeScalars.last != "_" {
                out.unicodeScalars.append("_")
            }
        }
        let trimmed = out.drop(while: { $0 == "_" }).reversed().drop(while: { $0 == "_" }).reversed()
        return trimmed.isEmpty ? "_" : String(trimmed)
    }
}

/// ASCII classes for names.
enum CharacterSetASCII {
    static func isLetter(_ c: UInt8) -> Bool { (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) }
    static func isAlphanumeric(_ c: UInt8) -> Bool { (0x30...0x39).contains(c) || isLetter(c) }
}
