import Mustache

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
        case "alerts": self.alerts
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
        case "alerts": self.alerts
        case "hasAlerts": !self.alerts.isEmpty
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
        case "alerts": self.alerts
        case "hasAlerts": !self.alerts.isEmpty
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
        case "alerts": self.alerts
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

extension PageContext.AlertRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "state": self.state
        case "severity": self.severity
        case "subject": self.subject
        case "href": self.href
        case "since": self.since
        case "value": self.value
        case "summary": self.summary
        default: nil
        }
    }
}

extension PageContext.AlertBanner: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "count": self.count
        case "firing": self.firing
        case "more": self.more
        default: nil
        }
    }
}
