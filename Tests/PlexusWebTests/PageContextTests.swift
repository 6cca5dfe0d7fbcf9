import Mustache
import Testing

@testable import PlexusWeb

/// Every member of every page context reaches the templates under its own name, with its value
/// (a member left out of `child(named:)`, or shadowed there, would render as nothing).
@Suite struct PageContextTests {
    static func check(_ context: any MustacheParent, sourceLocation: SourceLocation = #_sourceLocation) {
        for member in Mirror(reflecting: context).children {
            guard let label = member.label else { continue }
            let expected = String(reflecting: member.value)
            let given = context.child(named: label)
            if expected == "nil" {
                #expect(given == nil, "\(type(of: context)).\(label)", sourceLocation: sourceLocation)
            } else {
                let text = given.map { String(reflecting: $0) }
                // Optionals that hold a value reach the template unwrapped.
                #expect(text == expected || "Optional(\(text ?? ""))" == expected, "\(type(of: context)).\(label)", sourceLocation: sourceLocation)
            }
        }
        #expect(context.child(named: "noSuchMember") == nil)
    }

    @Test func everyMemberReachesTheTemplates() {
        let graph = PageContext.Graph(src: "/g.png", alt: "a", link: "/l")
        let unlinked = PageContext.Graph(src: "/g.png", alt: "a", link: nil)
        let link = PageContext.Link(label: "hour", href: "/?r=hour", selected: true)
        let choice = PageContext.Choice(value: "large", label: "Large", selected: true)
        let pair = PageContext.Pair(name: "r", value: "day")
        let alert = PageContext.AlertRow(
            name: "HighLoad", state: "firing", severity: "page", subject: "web-1 load_one", href: "/cluster/web/host/web-1/metric/load_one",
            since: "12:00", value: "9.5", summary: "load 9.5 on web-1")
        let banner = PageContext.AlertBanner(count: 9, firing: [alert], more: 1)
        let contexts: [any MustacheParent] = [
            graph, unlinked, link, choice, pair,
            PageContext.Layout(
                title: "t", grid: "g", home: "/", crumbs: [link], ranges: [link], sizes: [choice], start: "-1h", end: "now", keep: [pair],
                body: "<p>", now: "12:00"),
            PageContext.GridPage(
                up: 2, down: 1, anyDown: true, clusterCount: 1, cpus: "4", graphs: [graph], clusters: [], hasGrids: false, grids: [],
                hasQuarantine: false, quarantine: [], archiveFailing: .init(since: "11:00", error: "full")),
            PageContext.GridPage.ClusterCard(
                name: "web", href: "/cluster/web", up: 2, down: 0, anyDown: false, cpus: "4", load: "0.5", cpu: "3 %", memory: "1 GB",
                graphs: [graph]),
            PageContext.GridPage.ChildGrid(name: "child", up: 1, down: 0, link: "http://child/"),
            PageContext.GridPage.Refusal(subject: "web/x", reason: "max_hosts_per_source", count: 3, last: "11:00"),
            PageContext.GridPage.ArchiveFailing(since: "11:00", error: "No space left on device"),
            PageContext.ClusterPage(
                up: 1, down: 1, anyDown: true, cpus: "2", load: "1.0", graphs: [graph], metricOptions: "<option>", sorts: [choice],
                filter: "web*", keep: [pair], shown: 2, total: 2, hostList: "<figure>"),
            PageContext.HostPage(
                isDown: true, silent: "5 min", facts: [.init(label: "IP", value: "10.0.0.1")], graphs: [graph],
                groups: [.init(name: "load", graphs: [graph])], hasStrings: true, strings: [pair]),
            PageContext.HostPage.Fact(label: "IP", value: "10.0.0.1"), PageContext.HostPage.Group(name: "load", graphs: [graph]),
            PageContext.MetricPage(metric: "load_one", whose: "web-1", graphs: [graph]),
            PageContext.WallScreen(
                grid: "g", slides: [.init(name: "web", up: 1, down: 0, anyDown: false, graphs: [graph])], rotate: 20, refresh: 60,
                range: "4hr", now: "12:00"),
            PageContext.WallScreen.Slide(name: "web", up: 1, down: 0, anyDown: false, graphs: [graph]),
            alert, banner,
            PageContext.Layout(
                title: "t", grid: "g", home: "/", crumbs: [], ranges: [], sizes: [], start: "", end: "", keep: [], body: "", now: "12:00",
                alerts: banner),
            PageContext.HostPage(
                isDown: false, silent: "", facts: [], graphs: [], groups: [], hasStrings: false, strings: [], alerts: [alert]),
        ]
        for context in contexts { Self.check(context) }
    }
}
