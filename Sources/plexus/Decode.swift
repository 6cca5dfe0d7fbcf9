import ArgumentParser
import Foundation
import PlexusCore

/// `plexus decode FILE...`: one JSON object per datagram file, for reading packet captures.
struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decode Ganglia XDR datagrams (one datagram per file) into JSON lines.",
        discussion: """
            Each FILE holds exactly one UDP payload, as captured from port 8649. Use - for
            standard input. A file that doesn't decode is reported on standard error and the
            exit status is 1; the other files are still printed.

            Example:
              plexus decode captures/*.bin | jq -c '{name, value}'
            """
    )

    @Argument(help: "Datagram files (- for standard input).")
    var files: [String]

    func run() throws {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var failed = false
        for file in files {
            do {
                let bytes = try read(file)
                let message = try GangliaMessage(xdr: bytes)
                let line = try encoder.encode(DecodedDatagram(file: file, message: message))
                FileHandle.standardOutput.write(line + Data([0x0A]))
            } catch let error as XDRError {
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
