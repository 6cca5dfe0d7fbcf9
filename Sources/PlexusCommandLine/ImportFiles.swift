import Glibc
import PlexusCore

/// The files and names an import reads (`--import-gmond-conf`, `--import-gmetad-conf`): the
/// configuration, what its includes name, and the addresses of gmetad's trusted host names.
public enum ImportFiles {
    /// Files one include may name (a glob over a directory of thousands is a mistake).
    public static let maxFilesPerInclude = 1000

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// A file's text (at most 16 MiB, UTF-8).
    public static func text(_ path: String) throws -> String {
        let bytes: [UInt8]
        do {
            bytes = try DaemonOptions.read(path)
        } catch {
            throw Failure(description: "\(error)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw Failure(description: "\(path): not UTF-8 text") }
        return text
    }

    /// The files `pattern` names, in glob(3)'s (sorted) order; a relative pattern is taken from
    /// the including file's directory. A pattern with no wildcard must name a file; one with
    /// wildcards may name none, as in gmond.
    public static func include(_ pattern: String, from file: String) throws -> [(file: String, text: String)] {
        var full = pattern
        if !pattern.hasPrefix("/"), let slash = file.lastIndex(of: "/") { full = String(file[...slash]) + pattern }
        let wildcards = full.contains { $0 == "*" || $0 == "?" || $0 == "[" }
        var found = glob_t()
        defer { globfree(&found) }
        let status = glob(full, 0, nil, &found)
        if status == GLOB_NOMATCH {
            if wildcards { return [] }
            throw Failure(description: "\(full): no such file")
        }
        guard status == 0 else { throw Failure(description: "\(full): cannot be listed") }
        guard Int(found.gl_pathc) <= maxFilesPerInclude else {
            throw Failure(description: "\(full) names \(found.gl_pathc) files, more than \(maxFilesPerInclude)")
        }
        var files: [(file: String, text: String)] = []
        for i in 0..<Int(found.gl_pathc) {
            guard let path = found.gl_pathv[i].map({ String(cString: $0) }) else { continue }
            files.append((path, try text(path)))
        }
        return files
    }

    /// The IPv4 and IPv6 addresses `name` resolves to here, each once; none when it doesn't.
    public static func addresses(of name: String) -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [String] = []
        var next = list
        while let entry = next {
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(entry.pointee.ai_addr, entry.pointee.ai_addrlen, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !addresses.contains(text) { addresses.append(text) }
            }
            next = entry.pointee.ai_next
        }
        return addresses
    }
}
