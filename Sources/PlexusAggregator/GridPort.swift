import Foundation
import Logging
import NIOCore
import PlexusCore
import PlexusStatus
import PlexusTransport
import ServiceLifecycle

/// gmetad's XML port (the whole grid to every client) or its interactive port (a request line,
/// then the part of the grid it names, or `/status`), behind the client gate.
final class GridPort: Service, Sendable {
    enum Kind: String, Sendable {
        case xml = "xml_port"
        case interactive = "interactive_port"
        /// Our own history for a parent's back-fill (`docs/format/history.md`): the live tail.
        case history = "history_port"
    }

    let kind: Kind
    let port: Int
    let store: GridStore
    let server: GangliaPortServer
    let status: @Sendable () -> AggregatorStatus
    let onListening: @Sendable (Kind, SocketAddress?) -> Void
    let group: any EventLoopGroup
    let tls: TLSContext?

    init(
        _ kind: Kind, port: Int, store: GridStore, gate: ClientGate, shared: SharedRender, group: any EventLoopGroup, tls: TLSContext? = nil,
        status: @escaping @Sendable () -> AggregatorStatus, onListening: @escaping @Sendable (Kind, SocketAddress?) -> Void
    ) {
        self.kind = kind
        self.port = port
        self.store = store
        let configuration = store.configuration
        let timeout = Duration.milliseconds(Int(configuration.serverTimeout * 1000))
        server = GangliaPortServer(
            allow: configuration.serverAllowList ?? [], timeout: timeout,
            requestLineLimit: kind == .interactive ? GridQuery.maxLength : kind == .history ? 256 : nil, gate: gate, shared: shared)
        self.status = status
        self.onListening = onListening
        self.group = group
        self.tls = tls
    }

    func run() async throws {
        let listener = try await open()
        onListening(kind, listener.channel.localAddress)
        try? await cancelWhenGracefulShutdown {
            switch self.kind {
            case .xml:
                try await self.server.serve(listener, render: { _ in self.wholeGrid() }, report: { self.count($0) })
            case .interactive:
                try await self.server.serve(
                    listener, render: { self.answer($0) },
                    report: { self.count($0) })
            case .history:
                try await self.server.serve(
                    listener, render: { self.history($0) }, report: { self.count($0) })
            }
        }
    }

    private func open() async throws -> GangliaPortServer.Listener {
        let bind = store.configuration.bind
        do {
            return try await GangliaPortServer.listen(host: bind, port: port, group: group, tls: tls)
        } catch  where bind == "::" {
            // No IPv6 on this machine: IPv4 only.
            store.logger.notice("IPv6 unavailable, listening on IPv4 only", metadata: ["port": "\(kind.rawValue)"])
            do {
                return try await GangliaPortServer.listen(host: "0.0.0.0", port: port, group: group, tls: tls)
            } catch {
                throw ListenError(key: kind.rawValue, address: "0.0.0.0:\(port)", underlying: error)
            }
        } catch {
            throw ListenError(key: kind.rawValue, address: "\(bind):\(port)", underlying: error)
        }
    }

    /// The whole grid as gmetad's XML port serves it.
    func wholeGrid() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1 << 16)
        GridRenderer(state: store.grid, now: store.clock()).renderTree(into: &bytes)
        return bytes
    }

    /// The reply to one interactive request; a refused request gets no reply (the connection
    /// closes), as with gmetad.
    func answer(_ request: GangliaPortServer.Request) -> [UInt8] {
        let query: GridQuery
        do {
            query = try GridQuery.parse(request.line ?? "")
        } catch {
            store.count { $0.queriesRejected += 1 }
            store.logger.debug("query refused", metadata: ["peer": "\(request.peer)", "reason": "\(error)"])
            return []
        }
        switch query {
        case .tree(let path, let summary, let http):
            var bytes: [UInt8] = []
            GridRenderer(state: store.grid, now: store.clock()).render(path: path, summary: summary, http: http, into: &bytes)
            return bytes
        case .status(let callback, let http):
            return Self.statusReply(status(), callback: callback, http: http)
        }
    }

    /// Our history from the time asked (the live tail's host series), or an error line.
    func history(_ request: GangliaPortServer.Request) -> [UInt8] {
        switch HistoryText.parseRequest(request.line) {
        case .failure(let error):
            return Array(HistoryText.error(error.reason).utf8)
        case .success(let from):
            let served = store.tail?.history(from: from, gridname: store.configuration.gridname) ?? []
            return Array(HistoryText.encode(served, now: store.clock()).utf8)
        }
    }

    /// `/status` as JSON (JSONP with a safe callback), with an HTTP header for `GET` requests.
    static func statusReply(_ status: AggregatorStatus, callback: String?, http: Bool) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(status)) ?? Data("{}".utf8)
        var bytes: [UInt8] = []
        if http { bytes += Array(GridRenderer.httpHeader(contentType: callback == nil ? "application/json" : "application/javascript").utf8) }
        if let callback { bytes += Array("\(callback)(".utf8) }
        bytes += json
        if callback != nil { bytes += Array(")".utf8) }
        bytes += Array("\r\n".utf8)
        return bytes
    }

    private func count(_ outcome: GangliaPortServer.Outcome) {
        let name = kind == .xml ? "XML" : kind == .history ? "history" : "query"
        store.count { s in
            switch kind {
            case .xml: _ = s.xml.record(outcome)
            case .interactive, .history: _ = s.queries.record(outcome)
            }
        }
        switch outcome {
        case .served: break
        case .refused(let decision, let peer): store.peerLog.log(.notice, "\(name) client refused: \(decision)", detail: peer)
        case .failed(let reason): store.peerLog.log(.info, "\(name) client failed", detail: reason)
        }
    }
}
