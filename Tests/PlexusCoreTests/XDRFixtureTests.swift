import Testing

@testable import PlexusCore

/// Decoding and re-encoding the datagrams captured from real gmond 3.7.2 and gmetric.
@Suite struct XDRFixtureTests {
    /// One expected metadata packet, written from the capture's documented contents.
    struct MetadataCase: CustomTestStringConvertible, Sendable {
        var file: String, host: String, name: String, spoof: Bool
        var type: MetricType, units: String, slope: Slope, tmax: UInt32, dmax: UInt32
        var extra: [(String, String)]
        var testDescription: String { file }
    }

    static let metadataCases: [MetadataCase] = [
        .init(
            file: "metadata-heartbeat.bin", host: "vm", name: "heartbeat", spoof: false, type: .uint32, units: "",
            slope: .unspecified, tmax: 20, dmax: 0,
            extra: [("TITLE", "heartbeat"), ("DESC", "Last heartbeat"), ("GROUP", "core")]),
        .init(
            file: "metadata-cpu_num.bin", host: "vm", name: "cpu_num", spoof: false, type: .uint16, units: "CPUs",
            slope: .zero, tmax: 1200, dmax: 0,
            extra: [("TITLE", "CPU Count"), ("DESC", "Total number of CPUs"), ("GROUP", "cpu")]),
        .init(
            file: "metadata-cpu_user.bin", host: "vm", name: "cpu_user", spoof: false, type: .float, units: "%",
            slope: .both, tmax: 90, dmax: 0,
            extra: [
                ("TITLE", "CPU User"),
                ("DESC", "Percentage of CPU utilization that occurred while executing at the user level"),
                ("GROUP", "cpu"),
            ]),
        .init(
            file: "metadata-disk_free.bin", host: "vm", name: "disk_free", spoof: false, type: .double, units: "GB",
            slope: .both, tmax: 180, dmax: 0,
            extra: [("TITLE", "Disk Space Available"), ("DESC", "Total free disk space"), ("GROUP", "disk")]),
        .init(
            file: "metadata-load_one.bin", host: "vm", name: "load_one", spoof: false, type: .float, units: " ",
            slope: .both, tmax: 70, dmax: 0,
            extra: [("TITLE", "One Minute Load Average"), ("DESC", "One minute load average"), ("GROUP", "load")]),
        .init(
            file: "metadata-location.bin", host: "vm", name: "location", spoof: false, type: .string, units: "(x,y,z)",
            slope: .unspecified, tmax: 1200, dmax: 0,
            extra: [("TITLE", "Location"), ("DESC", "Location of the machine"), ("GROUP", "core")]),
        .init(
            file: "metadata-mem_total.bin", host: "vm", name: "mem_total", spoof: false, type: .float, units: "KB",
            slope: .zero, tmax: 1200, dmax: 0,
            extra: [("TITLE", "Memory Total"), ("DESC", "Total amount of memory displayed in KBs"), ("GROUP", "memory")]),
        .init(
            file: "metadata-os_name.bin", host: "vm", name: "os_name", spoof: false, type: .string, units: "",
            slope: .zero, tmax: 1200, dmax: 0,
            extra: [("TITLE", "Operating System"), ("DESC", "Operating system name"), ("GROUP", "system")]),
        .init(
            file: "gmetric-metadata-daily_signups.bin", host: "vm", name: "daily_signups", spoof: false, type: .uint32,
            units: "users", slope: .both, tmax: 60, dmax: 0,
            extra: [("GROUP", "business"), ("DESC", "Accounts created today"), ("TITLE", "Daily sign-ups")]),
        .init(
            file: "gmetric-metadata-checkout_latency_ms.bin", host: "vm", name: "checkout_latency_ms", spoof: false,
            type: .float, units: "ms", slope: .both, tmax: 30, dmax: 600,
            extra: [("GROUP", "business"), ("GROUP", "latency")]),
        .init(
            file: "gmetric-metadata-build_version.bin", host: "vm", name: "build_version", spoof: false, type: .string,
            units: "", slope: .both, tmax: 60, dmax: 0, extra: [("GROUP", "deploy")]),
        .init(
            file: "gmetric-metadata-queue_depth.bin", host: "vm", name: "queue_depth", spoof: false, type: .int32,
            units: "jobs", slope: .both, tmax: 60, dmax: 0, extra: []),
        .init(
            file: "gmetric-metadata-disk_iops.bin", host: "vm", name: "disk_iops", spoof: false, type: .double,
            units: "ops/s", slope: .positive, tmax: 60, dmax: 0, extra: []),
        .init(
            file: "gmetric-spoof-metadata-sw_temp.bin", host: "10.0.0.9:switch9.example", name: "sw_temp", spoof: true,
            type: .int16, units: "C", slope: .both, tmax: 60, dmax: 0,
            extra: [("SPOOF_HOST", "10.0.0.9:switch9.example"), ("GROUP", "env")]),
    ]

    @Test(arguments: metadataCases)
    func decodesMetadata(_ expected: MetadataCase) throws {
        let message = try GangliaMessage(xdr: try Fixtures.bytes("xdr/\(expected.file)"))
        guard case .metadata(let id, let metadata) = message else {
            Issue.record("not metadata: \(message)")
            return
        }
        #expect(message.messageID == .metadata)
        #expect(id == MetricIdentity(host: expected.host, name: expected.name, spoof: expected.spoof))
        #expect(metadata.name == expected.name)
        #expect(metadata.type == expected.type)
        #expect(metadata.units == expected.units)
        #expect(metadata.slope == expected.slope)
        #expect(metadata.tmax == expected.tmax)
        #expect(metadata.dmax == expected.dmax)
        #expect(metadata.extraData.map(\.name) == expected.extra.map(\.0))
        #expect(metadata.extraData.map(\.value) == expected.extra.map(\.1))
    }

    @Test func metadataAccessorsReadExtraData() throws {
        let message = try GangliaMessage(xdr: try Fixtures.bytes("xdr/gmetric-metadata-checkout_latency_ms.bin"))
        guard case .metadata(_, let metadata) = message else { throw Failure("not metadata") }
        #expect(metadata.groups == ["business", "latency"])
        #expect(metadata.title == nil)
        let spoofed = try GangliaMessage(xdr: try Fixtures.bytes("xdr/gmetric-spoof-metadata-sw_temp.bin"))
        guard case .metadata(let id, let spoofMeta) = spoofed else { throw Failure("not metadata") }
        #expect(spoofMeta.spoofHost == "10.0.0.9:switch9.example")
        #expect(id.spoofedAddress?.ip == "10.0.0.9")
        #expect(id.spoofedAddress?.hostname == "switch9.example")
    }

    static let valueCases: [(file: String, host: String, name: String, spoof: Bool, format: String, value: MetricValue)] = [
        ("value-uint-heartbeat.bin", "vm", "heartbeat", false, "%u", .uint(1_795_543_625)),
        ("value-ushort-cpu_num.bin", "vm", "cpu_num", false, "%hu", .ushort(2)),
        ("value-float-load_one.bin", "vm", "load_one", false, "%.2f", .float(0.2)),
        ("value-float-cpu_user.bin", "vm", "cpu_user", false, "%.1f", .float(Float(bitPattern: 0x4003_39EA))),
        ("value-float-mem_total.bin", "vm", "mem_total", false, "%.0f", .float(24_684_092)),
        ("value-double-disk_free.bin", "vm", "disk_free", false, "%.3f", .double(83.521646592)),
        ("value-string-os_name.bin", "vm", "os_name", false, "%s", .string("Linux")),
        ("value-string-location.bin", "vm", "location", false, "%s", .string("rack2,7,0")),
        ("gmetric-value-daily_signups.bin", "vm", "daily_signups", false, "%s", .string("1234")),
        ("gmetric-value-checkout_latency_ms.bin", "vm", "checkout_latency_ms", false, "%s", .string("87.25")),
        ("gmetric-value-build_version.bin", "vm", "build_version", false, "%s", .string("v2.14.1-rc1")),
        ("gmetric-value-queue_depth.bin", "vm", "queue_depth", false, "%s", .string("-42")),
        ("gmetric-value-disk_iops.bin", "vm", "disk_iops", false, "%s", .string("1523.5")),
        ("gmetric-spoof-value-sw_temp.bin", "10.0.0.9:switch9.example", "sw_temp", true, "%s", .string("31")),
    ]

    @Test(arguments: valueCases.indices)
    func decodesValue(_ index: Int) throws {
        let expected = Self.valueCases[index]
        let message = try GangliaMessage(xdr: try Fixtures.bytes("xdr/\(expected.file)"))
        #expect(
            message
                == .value(
                    MetricIdentity(host: expected.host, name: expected.name, spoof: expected.spoof),
                    format: expected.format, value: expected.value), "\(expected.file)")
    }

    @Test func decodesMetadataRequest() throws {
        let message = try GangliaMessage(xdr: try Fixtures.bytes("xdr/metadata-request-load_one.bin"))
        #expect(message == .metadataRequest(MetricIdentity(host: "localhost", name: "load_one", spoof: false)))
    }

    @Test func everyCaptureIsCovered() {
        let covered = Set(Self.metadataCases.map(\.file) + Self.valueCases.map(\.file) + ["metadata-request-load_one.bin"])
        #expect(Set(Fixtures.xdrFiles) == covered)
        #expect(Fixtures.xdrFiles.count == 29)
    }

    @Test(arguments: Fixtures.xdrFiles)
    func reencodesByteForByte(_ file: String) throws {
        let bytes = try Fixtures.bytes("xdr/\(file)")
        #expect(try GangliaMessage(xdr: bytes).xdr == bytes)
    }

    @Test(arguments: Fixtures.xdrFiles)
    func everyTruncationIsATypedError(_ file: String) throws {
        let bytes = try Fixtures.bytes("xdr/\(file)")
        for length in 0..<bytes.count {
            #expect(throws: XDRError.self, "\(file) cut at \(length)") {
                try GangliaMessage(xdr: Array(bytes[..<length]))
            }
        }
    }

    @Test(arguments: Fixtures.xdrFiles)
    func trailingGarbageIsATypedError(_ file: String) throws {
        let bytes = try Fixtures.bytes("xdr/\(file)")
        #expect(throws: XDRError.trailingBytes(count: 3, offset: bytes.count)) {
            try GangliaMessage(xdr: bytes + [0xDE, 0xAD, 0xBF])
        }
    }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
