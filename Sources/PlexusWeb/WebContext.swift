import Foundation
import Hummingbird
import NIOCore
import NIOPosix
import PlexusArchive
import PlexusCore
import PlexusStatus
import PlexusTransport
import Synchronization

/// Each request's context: Hummingbird's core storage and the client's address (for
/// `http_trusted_hosts`).
public struct WebContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
