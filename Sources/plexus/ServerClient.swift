import Foundation
import PlexusTransport

/// The aggregator's HTTP API (`--server http://monitor:8080`), for `graph`, `export` and
/// `events` run on a machine without the RRD root: a deploy host, a laptop.
///
/// Answers map onto the CLI's exit codes: a 4xx (unknown host, bad range, wrong token) is bad
/// input (1) with the server's own message; a 5xx or no answer at all is unreachable data (2).
struct ServerClient {
    /// The server's URL without a trailing slash.
    let base: String

    init(_ text: String) throws {
        let base = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard (try? HTTPExchange.Target(base)) != nil else {
            throw CommandFailure.badInput("--server \(text.debugDescription): expected http://HOST:PORT")
        }
        self.base = base
    }

    /// GET `path?parameters`; the body of a 2xx answer.
    func get(_ path: String, _ parameters: [(String, String)]) async throws -> Data {
        try await send("GET", path, parameters)
    }

    func send(_ method: String, _ path: String, _ parameters: [(String, String)] = [], body: Data? = nil, token: String? = nil) async throws -> Data {
        let query = parameters.map { "\(Self.encoded($0.0))=\(Self.encoded($0.1))" }.joined(separator: "&")
        let url = "\(base)/\(path)" + (query.isEmpty ? "" : "?\(query)")
        var headers = [("User-Agent", "plexus")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        let answer: HTTPExchange.Answer
        do {
            answer = try await HTTPExchange.send(method, url, headers: headers, body: body.map { Array($0) }, timeout: .seconds(60))
        } catch {
            throw CommandFailure.unreachable("cannot reach \(base): \(error)")
        }
        let data = Data(answer.body)
        guard (200..<300).contains(answer.status) else {
            let message =
                (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["error"] as? String
                ?? "HTTP status \(answer.status) from \(url)"
            throw (400..<500).contains(answer.status) ? CommandFailure.badInput(message) : CommandFailure.unreachable(message)
        }
        return data
    }

    /// A query's name or value, percent-encoded but for RFC 3986's unreserved characters (so
    /// `+`, `&`, `=` and spaces arrive as written).
    static func encoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return result
    }
}
