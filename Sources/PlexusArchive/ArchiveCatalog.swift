import Foundation

/// What the archive holds, read from the directory tree (for the CLI's discovery and the
/// dashboard's lists): clusters, their hosts, the metrics of a directory.
public struct ArchiveCatalog: Sendable {
    public let layout: RRDLayout

    public init(layout: RRDLayout) {
        self.layout = layout
    }

    /// Whether the root is a readable directory.
    public var rootIsReadable: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: layout.rootDirectory, isDirectory: &isDirectory) && isDirectory.boolValue
            && FileManager.default.isReadableFile(atPath: layout.rootDirectory)
    }

    /// The directories below the root: clusters (and federated child grids, which hold only a
    /// summary).
    public func clusters() -> [String] {
        subdirectories(layout.rootDirectory).filter { $0 != RRDLayout.summaryDirectory }
    }

    /// The host directories of `cluster`.
    public func hosts(of cluster: String) -> [String] {
        subdirectories("\(layout.rootDirectory)/\(cluster)").filter { $0 != RRDLayout.summaryDirectory }
    }

    /// The clusters with a directory for `host` (compared without case, as host names are).
    public func clusters(holding host: String) -> [String] {
        clusters().filter { cluster in hosts(of: cluster).contains { $0.lowercased() == host.lowercased() } }
    }

    /// The `.rrd` files of a directory, by name (the listing `GraphArguments` wants).
    public func files(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".rrd") }.sorted()
    }

    /// The metric names archived at `location`.
    public func metrics(at location: RRDLayout.Location) -> [String] {
        files(in: layout.directory(of: location)).map { String($0.dropLast(4)) }
    }

    private func subdirectories(_ path: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: "\(path)/\(name)", isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()
    }
}

extension GraphArguments {
    /// The arguments for `request` over the files that exist in `catalog`'s tree now.
    public init(_ request: GraphRequest, catalog: ArchiveCatalog, now: Int64) throws(RRDError) {
        try self.init(
            request, layout: catalog.layout, now: now, exists: { FileManager.default.fileExists(atPath: $0) },
            listing: catalog.files(in:))
    }
}

extension ExportArguments {
    /// The export of `request` over the files that exist in `catalog`'s tree now.
    public init(_ request: GraphRequest, catalog: ArchiveCatalog, now: Int64, step: Int? = nil) throws(RRDError) {
        try self.init(
            request, layout: catalog.layout, now: now, step: step, exists: { FileManager.default.fileExists(atPath: $0) },
            listing: catalog.files(in:))
    }
}
