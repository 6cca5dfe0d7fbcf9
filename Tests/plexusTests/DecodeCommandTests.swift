import Foundation
import PlexusCore
import Testing

/// `plexus decode` run as a real process on the real captures.
@Suite struct DecodeCommandTests {
    @Test func printsOneJSONObjectPerDatagram() async throws {
        let result = try await Executable("plexus").run(
            [
                "decode", "metadata-heartbeat.bin", "value-float-load_one.bin", "gmetric-spoof-value-sw_temp.bin",
                "metadata-request-load_one.bin",
            ], in: xdrFixtures)
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(
            result.stdout == """
                {"dmax":0,"extra":[{"name":"TITLE","value":"heartbeat"},{"name":"DESC","value":"Last heartbeat"},{"name":"GROUP","value":"core"}],"file":"metadata-heartbeat.bin","host":"vm","id":128,"kind":"metadata","message":"gmetadata_full","name":"heartbeat","slope":"unspecified","spoof":false,"tmax":20,"type":"uint32","units":""}
                {"file":"value-float-load_one.bin","format":"%.2f","host":"vm","id":134,"kind":"value","message":"gmetric_float","name":"load_one","rendered":"0.20","spoof":false,"value":0.2,"value_type":"float"}
                {"file":"gmetric-spoof-value-sw_temp.bin","format":"%s","host":"10.0.0.9:switch9.example","id":133,"kind":"value","message":"gmetric_string","name":"sw_temp","rendered":"31","spoof":true,"value":"31","value_type":"string"}
                {"file":"metadata-request-load_one.bin","host":"localhost","id":136,"kind":"metadata_request","message":"gmetadata_request","name":"load_one","spoof":false}

                """)
    }

    /// The worked example of docs/format/signed.md: the envelope, the message inside, and with
    /// a keyring whether the MAC is the key's.
    @Test func aSignedDatagramShowsItsEnvelopeAndItsMessage() async throws {
        let folder = try TemporaryFolder("plexus-decode-signed")
        let hex =
            "504c5853000000010000000a7765622d312d323032360000000000006b05d0a06b05cfd8000000070000002c00000086000000057765622d31"
            + "000000000000086c6f61645f6f6e650000000000000004252e32663f00000059b691c2bbfe8ca602bcfa71a67e74cb22c3233ef0fed04177b2766eaad6bac0"
        let digits = Array(hex.utf8)
        let bytes = stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
        let capture = folder.url.appendingPathComponent("signed.bin")
        try Data(bytes).write(to: capture)
        let plain = try await Executable("plexus").run(["decode", capture.path])
        #expect(plain.status == 0, "\(plain.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as? [String: Any])
        let envelope = try #require(object["envelope"] as? [String: Any])
        #expect(envelope["key_id"] as? String == "web-1-2026" && envelope["timestamp"] as? Int == 1_795_543_200)
        #expect(envelope["sender"] as? Int == 0x6B05_CFD8 && envelope["counter"] as? Int == 7 && envelope["authentic"] == nil)
        #expect(object["name"] as? String == "load_one" && object["rendered"] as? String == "0.50" && object["host"] as? String == "web-1")
        // With the keyring: authentic; with another secret under that id: not.
        let secret = (0..<32).map { String(format: "%02x", $0) }.joined()
        for (ring, expected) in [(secret, true), (String(repeating: "ab", count: 32), false)] {
            let keyring = try folder.write("ring-\(expected).toml", "[[key]]\nid = \"web-1-2026\"\nsecret = \"\(ring)\"\nhosts = [\"web-1\"]\n")
            chmod(keyring.path, 0o600)
            let checked = try await Executable("plexus").run(["decode", "--keyring", keyring.path, capture.path])
            let line = try JSONSerialization.jsonObject(with: Data(checked.stdout.utf8)) as? [String: Any]
            #expect((line?["envelope"] as? [String: Any])?["authentic"] as? Bool == expected, "\(checked.stdout) \(checked.stderr)")
        }
        // A cut envelope is reported, not guessed at.
        try Data(bytes.prefix(40)).write(to: capture)
        let cut = try await Executable("plexus").run(["decode", capture.path])
        #expect(cut.status == 1 && cut.stderr.contains("not a Ganglia datagram: malformed envelope"), "\(cut.stderr)")
    }

    @Test func everyCaptureDecodes() async throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: xdrFixtures.path).filter { $0.hasSuffix(".bin") }.sorted()
        let result = try await Executable("plexus").run(["decode"] + files, in: xdrFixtures)
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == files.count)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["kind"] != nil && object?["name"] != nil && object?["host"] != nil)
        }
    }

    @Test func aDirectoryOrAListDecodesThousandsOfCaptures() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plexus-decode-many-\(getpid())")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("captures/nested"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let datagram = try Data(contentsOf: xdrFixtures.appendingPathComponent("value-float-load_one.bin"))
        // 8,000 files as arguments took 29 s (the argument parser is quadratic); as a directory
        // they are one argument. Subdirectories are not entered.
        for i in 0..<8000 { try datagram.write(to: folder.appendingPathComponent(String(format: "captures/%05d.bin", i))) }
        let byDirectory = try await Executable("plexus").run(["decode", "captures"], in: folder)
        #expect(byDirectory.status == 0 && byDirectory.stderr.isEmpty)
        let lines = byDirectory.stdout.split(separator: "\n")
        #expect(lines.count == 8000 && lines.first?.contains(#""file":"captures/00000.bin""#) == true && lines.last?.contains("07999.bin") == true)
        let list = (0..<3).map { String(format: "captures/%05d.bin", $0) }.joined(separator: "\n") + "\n"
        let byList = try await Executable("plexus").run(["decode", "--files-from", "-"], stdin: Data(list.utf8), in: folder)
        #expect(byList.status == 0 && byList.stdout.split(separator: "\n").count == 3)
        let nothing = try await Executable("plexus").run(["decode"], in: folder)
        #expect(nothing.status != 0 && nothing.stderr.contains("--files-from"))
    }

    @Test func readsStandardInputAndKeepsSpecialFloats() async throws {
        let nan = GangliaMessage.value(MetricIdentity(host: "h", name: "x"), format: "%f", value: .double(.nan))
        let result = try await Executable("plexus").run(["decode", "-"], stdin: Data(nan.xdr))
        #expect(result.status == 0)
        #expect(result.stdout.contains(#""value":"NaN""#))
        #expect(result.stdout.contains(#""rendered":"nan""#))
    }

    @Test func badFilesGiveAClearMessageAndExitOne() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plexus-decode-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = try Data(contentsOf: xdrFixtures.appendingPathComponent("value-ushort-cpu_num.bin"))
        try good.prefix(30).write(to: folder.appendingPathComponent("cut.bin"))
        try good.write(to: folder.appendingPathComponent("good.bin"))
        try Data([0, 0, 0, 7]).write(to: folder.appendingPathComponent("old.bin"))

        let result = try await Executable("plexus").run(["decode", "cut.bin", "good.bin", "old.bin", "missing.bin"], in: folder)
        #expect(result.status == 1)
        #expect(result.stdout.split(separator: "\n").count == 1, "the good file is still printed")
        let errors = result.stderr.split(separator: "\n").map(String.init)
        #expect(errors.count == 3)
        #expect(errors[0] == "plexus decode: cut.bin: not a Ganglia datagram: datagram ends inside format at byte 28 (2 more bytes needed)")
        #expect(errors[1].hasPrefix("plexus decode: old.bin: not a Ganglia datagram: message id 7 is from Ganglia 2.5"))
        #expect(errors[2] == "plexus decode: missing.bin: no such file")
    }
}
