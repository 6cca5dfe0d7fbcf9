// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for the codecs a peer feeds: the XDR decoder (every UDP datagram) and the
// XML reader (every polled document). Built and run by scripts/fuzz with
// `-sanitize=fuzzer,address -parse-as-library` (libFuzzer brings its own main).
let package = Package(
    name: "PlexusFuzz",
    dependencies: [.package(name: "Plexus", path: "..")],
    targets: [
        .executableTarget(name: "FuzzXDR", dependencies: [.product(name: "PlexusCore", package: "Plexus")]),
        .executableTarget(name: "FuzzXML", dependencies: [.product(name: "PlexusCore", package: "Plexus")]),
    ],
    swiftLanguageModes: [.v6]
)
