import Testing

@testable import PlexusCore

/// `plexus send` produces what gmetric 3.7.2 produced, byte for byte.
@Suite struct GmetricRequestTests {
    static func request(_ name: String, _ value: String, _ type: MetricType, _ change: (inout GmetricRequest) -> Void = { _ in }) -> GmetricRequest {
        var r = GmetricRequest(name: name, value: value, type: type)
        change(&r)
        return r
    }

    /// The commands of the capture (fixtures README) and the files they produced.
    static let captured: [(GmetricRequest, String)] = [
        (
            request("daily_signups", "1234", .uint32) {
                $0.units = "users"
                $0.groups = ["business"]
                $0.title = "Daily sign-ups"
                $0.description = "Accounts created today"
            }, "daily_signups"
        ),
        (
            request("checkout_latency_ms", "87.25", .float) {
                $0.units = "ms"
                $0.tmax = 30
                $0.dmax = 600
                $0.groups = ["business", "latency"]
            }, "checkout_latency_ms"
        ),
        (request("build_version", "v2.14.1-rc1", .string) { $0.groups = ["deploy"] }, "build_version"),
        (request("queue_depth", "-42", .int32) { $0.units = "jobs" }, "queue_depth"),
        (
            request("disk_iops", "1523.5", .double) {
                $0.units = "ops/s"
                $0.slope = .positive
            }, "disk_iops"
        ),
        (
            request("sw_temp", "31", .int16) {
                $0.units = "C"
                $0.spoof = "10.0.0.9:switch9.example"
                $0.groups = ["env"]
            }, "spoof-{}-sw_temp"
        ),
    ]

    @Test(arguments: captured.indices)
    func byteForByteWhatGmetricSent(_ index: Int) throws {
        let (request, file) = Self.captured[index]
        #expect(request.problem() == nil)
        let messages = request.messages(hostname: "vm")
        let names =
            file.contains("{}")
            ? [file.replacingOccurrences(of: "{}", with: "metadata"), file.replacingOccurrences(of: "{}", with: "value")]
            : ["metadata-\(file)", "value-\(file)"]
        #expect(messages[0].xdr == (try Fixtures.bytes("xdr/gmetric-\(names[0]).bin")))
        #expect(messages[1].xdr == (try Fixtures.bytes("xdr/gmetric-\(names[1]).bin")))
    }

    @Test func problemsAreExplained() {
        #expect(Self.request("a/b", "1", .uint32).problem() == #"metric name "a/b" contains '/'"#)
        #expect(Self.request("x", "-1", .uint32).problem() == #"value "-1" is not a valid uint32"#)
        #expect(Self.request("x", "300", .uint8).problem() == #"value "300" is not a valid uint8"#)
        #expect(Self.request("x", "abc", .double).problem() == #"value "abc" is not a valid double"#)
        #expect(Self.request("x", "anything", .string).problem() == nil)
        #expect(Self.request("x", "1", .int32) { $0.spoof = "nocolon" }.problem() == #"spoofed host "nocolon" is not IP:hostname"#)
        #expect(Self.request("x", "1", .int32) { $0.spoofHeartbeat = true }.problem() != nil)
    }

    @Test func spoofedHeartbeat() {
        let messages = Self.request("ignored", "ignored", .string) {
            $0.spoof = "10.0.0.9:sw"
            $0.spoofHeartbeat = true
        }.messages(hostname: "vm")
        guard case .metadata(let id, let metadata) = messages[0] else {
            Issue.record("no metadata")
            return
        }
        #expect(id == MetricIdentity(host: "10.0.0.9:sw", name: "heartbeat", spoof: true))
        #expect(metadata.isSpoofedHeartbeat && metadata.type == .uint32)
        #expect(messages[1] == .value(id, format: "%s", value: .string("0")))
    }
}
