import ArgumentParser
import Foundation
import PlexusCore
import PlexusSecurity

/// `plexus keygen`: a key for signed packets (`docs/format/signed.md`).
struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make a 256-bit key for signed packets and print its keyring entry.",
        discussion: """
            Writes the key file (mode 0600; an existing file is never overwritten) for the sender's
            key_file, and prints the [[key]] entry that receivers add to their keyring: the hosts
            the key may speak for, and with --spoof any host (for relays such as BMC collectors).
            Two keys may name the same host: add the new one to the keyrings, switch the sender,
            then remove the old one.

            Examples:
              plexus keygen --host web-1 -o /etc/plexus/web-1.key >> keyring.toml
              plexus keygen --host bmc-relay --spoof -o relay.key
            """
    )

    @Option(name: .customLong("host"), help: "A host the key may speak for (repeatable).") var hosts: [String] = []
    @Flag(help: "The key may speak for any host (gmetric --spoof).") var spoof = false
    @Option(help: "The key's id (default: the first host and today's date).") var id: String?
    @Option(name: .shortAndLong, help: "The key file to write.", completion: .file()) var output: String

    func validate() throws {
        if hosts.isEmpty && !spoof { throw ValidationError("which hosts may the key speak for? (--host, or --spoof for any)") }
        if let id, let problem = KeyringFile.idProblem(id) { throw ValidationError(problem) }
    }

    func run() throws {
        let day = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withYear, .withMonth, .withDay])
        let keyID = id ?? "\(hosts.first ?? "relay")-\(day)"
        if let problem = KeyringFile.idProblem(keyID) { throw CommandFailure.badInput("\(problem); give --id") }
        let key = SigningKey.generate(id: keyID)
        let text = "# A Plexus signing key (plexus keygen); keep it secret.\nid = \"\(key.id)\"\nsecret = \"\(key.hex)\"\n"
        let fd = open(output, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw CommandFailure.badInput("cannot create \(output): \(String(cString: strerror(errno))) (keygen never overwrites a key)")
        }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0 else {
            unlink(output)
            throw CommandFailure.unreachable("cannot write \(output)")
        }
        Console.output(KeyringFile.entryText(id: key.id, secret: key.hex, hosts: hosts, spoof: spoof))
    }
}
