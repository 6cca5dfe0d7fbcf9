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
    }
}

// Each context names its members for the templates itself: swift-mustache would otherwise find
// them through `Mirror`, which materialises every member on every lookup (it doubled the time of a
// page rendered afresh in `scripts/bench web`).
extension PageContext.Graph: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "src": self.src
        case "alt": self.alt
        case "link": self.link
        default: nil
        }
    }
}

extension PageContext.Link: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "label": self.label
        case "href": self.href
        case "selected": self.selected
        default: nil
        }
    }
}

extension PageContext.Choice: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "value": self.value
        case "label": self.label
        case "selected": self.selected
        default: nil
        }
    }
}

extension PageContext.Pair: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "value": self.value
        default: nil
        }
    }
}

extension PageContext.Layout: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": self.title
        case "grid": self.grid
        case "home": self.home
        case "crumbs": self.crumbs
        case "ranges": self.ranges
        case "sizes": self.sizes
        case "start": self.start
        case "end": self.end
        case "keep": self.keep
        case "body": self.body
        case "now": self.now
        default: nil
        }
    }
}

extension PageContext.GridPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "up": self.up
        case "down": self.down
        case "anyDown": self.anyDown
        case "clusterCount": self.clusterCount
        case "cpus": self.cpus
        case "graphs": self.graphs
        case "clusters": self.clusters
        case "hasGrids": self.hasGrids
        case "grids": self.grids
        case "hasQuarantine": self.hasQuarantine
        case "quarantine": self.quarantine
        case "archiveFailing": self.archiveFailing
        default: nil
        }
    }
}

extension PageContext.GridPage.ClusterCard: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "href": self.href
        case "up": self.up
        case "down": self.down
        case "anyDown": self.anyDown
        case "cpus": self.cpus
        case "load": self.load
        case "cpu": self.cpu
        case "memory": self.memory
        case "graphs": self.graphs
        default: nil
        }
    }
}

extension PageContext.GridPage.ChildGrid: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "up": self.up
        case "down": self.down
        case "link": self.link
        default: nil
        }
    }
}

extension PageContext.GridPage.Refusal: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "subject": self.subject
        case "reason": self.reason
        case "count": self.count
        case "last": self.last
        default: nil
        }
    }
}

extension PageContext.GridPage.ArchiveFailing: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "since": self.since
        case "error": self.error
        default: nil
        }
    }
}

extension PageContext.ClusterPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "up": self.up
        case "down": self.down
        case "anyDown": self.anyDown
        case "cpus": self.cpus
        case "load": self.load
        case "graphs": self.graphs
        case "metricOptions": self.metricOptions
        case "sorts": self.sorts
        case "filter": self.filter
        case "keep": self.keep
        case "shown": self.shown
        case "total": self.total
        case "hostList": self.hostList
        default: nil
        }
    }
}

extension PageContext.HostPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "isDown": self.isDown
        case "silent": self.silent
        case "facts": self.facts
        case "graphs": self.graphs
        case "groups": self.groups
        case "hasStrings": self.hasStrings
        case "strings": self.strings
        default: nil
        }
    }
}

extension PageContext.HostPage.Fact: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "label": self.label
        case "value": self.value
        default: nil
        }
    }
}

extension PageContext.HostPage.Group: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "graphs": self.graphs
        default: nil
        }
    }
}

extension PageContext.MetricPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "metric": self.metric
        case "whose": self.whose
        case "graphs": self.graphs
        default: nil
        }
    }
}

extension PageContext.WallScreen: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "grid": self.grid
        case "slides": self.slides
        case "rotate": self.rotate
        case "refresh": self.refresh
        case "range": self.range
        case "now": self.now
        default: nil
        }
    }
}

extension PageContext.WallScreen.Slide: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "up": self.up
        case "down": self.down
        case "anyDown": self.anyDown
        case "graphs": self.graphs
        default: nil
        }
    }
}
