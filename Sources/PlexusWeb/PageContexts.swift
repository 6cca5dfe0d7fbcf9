import Mustache

/// What each template is given: one type per template, so what a page hands its template is
/// checked by the compiler. Each names its members for the templates (`MustacheParent`, below).
enum PageContext {
    /// A picture on a page: a graph's URL, its text, and where clicking it leads.
    struct Graph: Sendable {
        var src: String
        var alt: String
        var link: String?
    }

    /// An entry of a menu or a trail: what it says, where it leads, whether it is the current one.
    struct Link: Sendable {
        var label: String
        var href: String
        var selected = false
    }

    /// An `<option>` or a hidden `<input>`.
    struct Choice: Sendable {
        var value: String
        var label: String = ""
        var selected = false
    }

    /// A name and its value (a hidden form field, a host's fact, a text metric).
    struct Pair: Sendable {
        var name: String
        var value: String
    }

    /// `layout`: every page's frame.
    struct Layout: Sendable {
        var title: String
        var grid: String
        var home: String
        var crumbs: [Link]
        var ranges: [Link]
        var sizes: [Choice]
        var start: String
        var end: String
        var keep: [Pair]
        var body: String
        var now: String
        /// The banner of firing alerts; nil when none fire.
        var alerts: AlertBanner? = nil
    }

    /// One alert on a page: which, its state, what it concerns (and where that is), since when.
    struct AlertRow: Sendable {
        var name: String
        var state: String
        var severity: String
        var subject: String
        var href: String
        var since: String
        var value: String
        var summary: String
    }

    /// The firing alerts over every page and the wall screen: the first few, and how many more.
    struct AlertBanner: Sendable {
        var count: Int
        var firing: [AlertRow]
        var more: Int?
    }

    /// `grid`.
    struct GridPage: Sendable {
        struct ClusterCard: Sendable {
            var name: String
            var href: String
            var up: Int
            var down: Int
            var anyDown: Bool
            var cpus: String
            var load: String
            var cpu: String
            var memory: String
            var graphs: [Graph]
        }

        struct ChildGrid: Sendable {
            var name: String
            var up: Int
            var down: Int
            var link: String?
        }

        struct Refusal: Sendable {
            var subject: String
            var reason: String
            var count: Int
            var last: String
        }

        struct ArchiveFailing: Sendable {
            var since: String
            var error: String
        }

        var up: Int
        var down: Int
        var anyDown: Bool
        var clusterCount: Int
        var cpus: String
        var graphs: [Graph]
        var clusters: [ClusterCard]
        var hasGrids: Bool
        var grids: [ChildGrid]
        var hasQuarantine: Bool
        var quarantine: [Refusal]
        var archiveFailing: ArchiveFailing?
    }

    /// `cluster`.
    struct ClusterPage: Sendable {
        var up: Int
        var down: Int
        var anyDown: Bool
        var cpus: String
        var load: String
        var graphs: [Graph]
        /// `<option>`s written as HTML (hundreds of metrics).
        var metricOptions: String
        var sorts: [Choice]
        var filter: String
        var keep: [Pair]
        var shown: Int
        var total: Int
        /// The hosts' figures written as HTML (a thousand hosts).
        var hostList: String
        /// The cluster's alerts, pending and firing, its hosts' included.
        var alerts: [AlertRow] = []
    }

    /// `host`.
    struct HostPage: Sendable {
        struct Fact: Sendable {
            var label: String
            var value: String
        }

        struct Group: Sendable {
            var name: String
            var graphs: [Graph]
        }

        var isDown: Bool
        var silent: String
        var facts: [Fact]
        var graphs: [Graph]
        var groups: [Group]
        var hasStrings: Bool
        var strings: [Pair]
        var alerts: [AlertRow] = []
    }

    /// `metric`.
    struct MetricPage: Sendable {
        var metric: String
        var whose: String
        var graphs: [Graph]
    }

    /// `tv`: the wall screen.
    struct WallScreen: Sendable {
        struct Slide: Sendable {
            var name: String
            var up: Int
            var down: Int
            var anyDown: Bool
            var graphs: [Graph]
        }

        var grid: String
        var slides: [Slide]
        var rotate: Int
        var refresh: Int
        var range: String
        var now: String
        var alerts: AlertBanner? = nil
    }
}
