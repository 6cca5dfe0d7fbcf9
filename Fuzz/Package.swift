// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for the codecs a peer feeds: the XDR decoder (every UDP datagram) and the
// XML reader (every polled document); and the TOML reader (every configuration file). Built and run by scripts/fuzz with
// `-sanitize=fuzzer,address -parse-as-library` (libFuzzer brings its own main).
let package = Package(
    name: "PlexusFuzz",
    dependencies: [.package(name: "Plexus", path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(name: "FuzzXDR", dependencies: ["FuzzDriver", .product(name: "PlexusCore", package: "Plexus")]),
        .executableTarget(name: "FuzzXML", dependencies: ["FuzzDriver", .product(name: "PlexusCore", package: "Plexus")]),
        .executableTarget(name: "FuzzTOML", dependencies: ["FuzzDriver", .product(name: "PlexusCore", package: "Plexus")]),
    ],
    swiftLanguageModes: [.v6]
)
