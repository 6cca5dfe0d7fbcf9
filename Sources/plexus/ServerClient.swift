import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The aggregator's HTTP API (`--server http://monitor:8080`), for `graph`, `export` and
/// `events` run on a machine without the RRD root: a deploy host, a laptop.
///
/// Answers map onto the CLI's exit codes: a 4xx (unknown host, bad range, wrong token) is bad
/// input (1) with the server's own message; a 5xx or no answer at all is unreachable data (2).
struct ServerClient {
    let base: URL

    init(_ text: String) throws {
        guard let url = URL(string: text.hasSuffix("/") ? String(text.dropLast()) : text), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", url.host != nil
        else { throw CommandFailure.badInput("--server \(text.debugDescription): expected http://HOST:PORT") }
        base = url
    }

    /// GET `path?parameters`; the body of a 2xx answer.
    func get(_ path: String, _ parameters: [(String, String)]) async throws -> Data {
        try await send("GET", path, parameters)
    }

    func send(_ method: String, _ path: String, _ parameters: [(String, String)] = [], body: Data? = nil, token: String? = nil) async throws -> Data {
        var components = URLComponents(url: base.appendingPathComponent(path), resolvingAgainstBaseURL: false)
        if !parameters.isEmpty { components?.queryItems = parameters.map { URLQueryItem(name: $0.0, value: $0.1) } }
        // `+` is a space to some servers: encode it (and keep everything else as URLComponents does).
        if let query = components?.percentEncodedQuery { components?.percentEncodedQuery = query.replacingOccurrences(of: "+", with: "%2B") }
        guard let url = components?.url else { throw CommandFailure.badInput("cannot make a URL of \(path)") }
        var request = URLRequest(url: url, timeoutInterval: 60)
        request.httpMethod = method
        request.httpBody = body
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let data: Data, response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw CommandFailure.unreachable("cannot reach \(base.absoluteString): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            let message =
                (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["error"] as? String
                ?? "HTTP status \(status) from \(url.absoluteString)"
            throw (400..<500).contains(status) ? CommandFailure.badInput(message) : CommandFailure.unreachable(message)
        }
        return data
    }
}
