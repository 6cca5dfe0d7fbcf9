import ArgumentParser
import Foundation
import PlexusCore
import PlexusSecurity

/// `plexus decode FILE...`: one JSON object per datagram file, for reading packet captures.
struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode Ganglia XDR datagrams (one datagram per file) into JSON lines.",
        discussion: """
            Each FILE holds exactly one UDP payload, as captured from port 8649. Use - for
            standard input. A directory stands for every regular file in it, in name order (the
            way to decode thousands of captures: the argument parser's cost grows with the
            square of the number of arguments, 8,000 of them took 29 s). A file that doesn't
            decode is reported on standard error and the exit status is 1; the other files are
            still printed.

            A signed datagram (docs/format/signed.md) shows its envelope (key id, timestamp,
            sender and counter) and the Ganglia message inside; with --keyring, whether its MAC
            is the named key's ("authentic").

            Examples:
              plexus decode captures/ | jq -c '{name, value}'
              find captures -name '*.bin' | plexus decode --files-from -
              plexus decode --keyring /etc/plexus/keyring.toml capture.bin
            """
    )

    @Argument(help: "Datagram files or directories of them (- for standard input).")
    var files: [String] = []

    @Option(help: "Read the paths to decode from this file, one per line (- for standard input).")
    var filesFrom: String?

    @Option(help: "Check signed datagrams' MACs against this keyring.", completion: .file())
    var keyring: String?

    func validate() throws {
        if files.isEmpty && filesFrom == nil { throw ValidationError("name the datagram files, a directory of them, or --files-from") }
        if filesFrom == "-" && files.contains("-") { throw ValidationError("standard input can't be both the list of files and a datagram") }
    }

    /// The files named: arguments (directories expanded, in name order), then --files-from's.
    func paths() throws -> [String] {
        func isDirectory(_ path: String) -> Bool {
            var directory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
        }
        var paths: [String] = []
        for file in files {
            guard file != "-", isDirectory(file) else {
                paths.append(file)
                continue
            }
            let base = file.hasSuffix("/") ? file : file + "/"
            paths += try FileManager.default.contentsOfDirectory(atPath: file).sorted().map { base + $0 }.filter { !isDirectory($0) }
        }
        if let filesFrom {
            paths += String(decoding: try read(filesFrom), as: UTF8.self).split(separator: "\n").map(String.init)
        }
        return paths
    }

    func run() throws {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var failed = false
        var keys = Keyring()
        if let keyring {
            var security = AgentConfiguration.Security()
            security.keyring = keyring
            do {
                keys = try SecurityMaterial.load(security, section: "--keyring", file: keyring).keyring
            } catch {
                report("\(error)")
                throw ExitCode(1)
            }
        }
        for file in try paths() {
            do {
                var bytes = try read(file)
                var envelope: Envelope.Parsed?
                var authentic: Bool?
                if Envelope.isEnvelope(bytes) {
                    let parsed = try Envelope.parse(bytes)
                    authentic = keys.entries[parsed.keyID].map { Envelope.authentic(parsed, key: $0.key) }
                    (envelope, bytes) = (parsed, parsed.payload)
                }
                let message = try GangliaMessage(xdr: bytes)
                let line = try encoder.encode(DecodedDatagram(file: file, message: message, envelope: envelope, authentic: authentic))
                FileHandle.standardOutput.write(line + Data([0x0A]))
            } catch let error as XDRError {
                failed = true
                report("\(file): not a Ganglia datagram: \(error)")
            } catch let error as Envelope.Malformed {
                failed = true
                report("\(file): not a Ganglia datagram: \(error)")
            } catch {
                failed = true
                report("\(file): \(error)")
            }
        }
        if failed { throw ExitCode(1) }
    }

    private func read(_ file: String) throws -> [UInt8] {
        if file == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ValidationError(FileManager.default.fileExists(atPath: file) ? "cannot read the file" : "no such file")
        }
        return Array(data)
    }

    private func report(_ message: String) {
        FileHandle.standardError.write(Data("plexus decode: \(message)\n".utf8))
    }
}
