import Foundation
import Hummingbird
import NIOCore
import NIOPosix
import PlexusArchive
import PlexusCore
import PlexusStatus
import PlexusTransport
import PlexusViews
import Synchronization

/// A host's value of a metric as the cluster page shows and sorts it.
typealias MetricValueText = (text: String, number: Double?)

/// A host as the cluster page and its JSON show it: its row, and its name escaped for HTML and
/// encoded for a URL.
struct HostEntry: Sendable {
    var row: GridOverview.HostRow
    /// The name as HTML text.
    var shown: String
    /// The name as a URL path component, as HTML text.
    var linked: String

    init(_ row: GridOverview.HostRow) {
        self.row = row
        shown = HTMLText.escape(row.host)
        linked = HTMLText.escape(URLText.component(row.host))
    }
}
