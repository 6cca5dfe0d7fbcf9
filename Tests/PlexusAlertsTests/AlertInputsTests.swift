import PlexusCore
import Testing

@testable import PlexusAlerts

/// What the rules see of a grid the aggregator holds, read from a polled document.
@Suite struct AlertInputsTests {
    static let now: Int64 = 1_795_543_200

    static func state() throws -> GridState {
        let xml = """
            <GANGLIA_XML VERSION="3.7.2" SOURCE="gmond">
            <CLUSTER NAME="web" LOCALTIME="\(now)" OWNER="o" LATLONG="l" URL="u">
            <HOST NAME="web-1" IP="10.0.0.1" REPORTED="\(now - 5)" TN="5" TMAX="20" DMAX="86400" LOCATION="l" GMOND_STARTED="0" TAGS="">
            <METRIC NAME="load_one" VAL="4.50" TYPE="float" UNITS=" " TN="5" TMAX="70" DMAX="0" SLOPE="both" SOURCE="gmond"></METRIC>
            <METRIC NAME="os_name" VAL="Linux" TYPE="string" UNITS="" TN="30" TMAX="1200" DMAX="0" SLOPE="zero" SOURCE="gmond"></METRIC>
            </HOST>
            <HOST NAME="web-2" IP="10.0.0.2" REPORTED="\(now - 600)" TN="600" TMAX="20" DMAX="86400" LOCATION="l" GMOND_STARTED="0" TAGS="">
            </HOST>
            </CLUSTER>
            </GANGLIA_XML>
            """
        var reader = SourceAssembler(options: .init(), now: now)
        _ = GangliaXMLReader.read(Array(xml.utf8)) { reader.apply($0) }
        var state = GridState(gridname: try GridName("Ops"), authority: "http://ops/", sources: ["web", "db"])
        state.sources[0].content = reader.finish(previous: nil)
        state.sources[0].alive = true
        return state
    }

    @Test func hostsSummariesAndSourcesComeFromTheGrid() throws {
        let inputs = AlertInputs(try Self.state(), now: Self.now + 10)
        #expect(inputs.hosts.map(\.name) == ["web-1", "web-2"])
        let web1 = try #require(inputs.hosts.first)
        #expect(web1.cluster == "web" && web1.up && web1.tn == 15, "aged by the ten seconds since the poll")
        #expect(web1.metrics.map(\.name) == ["load_one", "os_name"] && web1.metrics[0].value == 4.5 && web1.metrics[1].value == nil)
        #expect(web1.metrics[0].tmax == 70 && web1.metrics[1].tn == 40)
        #expect(inputs.hosts[1].up == false)
        #expect(inputs.clusters.map(\.name) == ["web"] && inputs.clusters[0].metrics["load_one"]?.sum == 4.5)
        #expect(inputs.clusters[0].metrics["load_one"]?.num == 1)
        #expect(inputs.grid?.name == "Ops" && inputs.grid?.metrics["load_one"]?.sum == 4.5)
        #expect(inputs.sources.map(\.name) == ["web", "db"] && inputs.sources.map(\.alive) == [true, false])

        // The rules on it: web-1 above 4, web-2 down, db's source down.
        var load = AlertRule(name: "HighLoad")
        load.metric = "load_one"
        load.condition = .above(4)
        var down = AlertRule(name: "HostDown")
        down.kind = .hostDown
        var source = AlertRule(name: "SourceDown")
        source.kind = .sourceDown
        var evaluator = AlertEvaluator(rules: [load, down, source])
        let fired = evaluator.evaluate(inputs, now: Self.now + 10)
        #expect(
            fired.map { "\($0.alert.name) \($0.alert.labels["host"] ?? $0.alert.labels["source"] ?? "")" }.sorted()
                == ["HighLoad web-1", "HostDown web-2", "SourceDown db"])
    }
}
