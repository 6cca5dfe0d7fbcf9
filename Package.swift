// swift-tools-version:6.1
import PackageDescription

// Targets follow docs/architecture.md.
let package = Package(
    name: "Plexus",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "PlexusCore", targets: ["PlexusCore"]),
        .executable(name: "plexus", targets: ["plexus"]),
        .executable(name: "plexus-agent", targets: ["plexus-agent"]),
        .executable(name: "plexus-aggregator", targets: ["plexus-aggregator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.6.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.24.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.0"..<"5.0.0"),
        // Plugins' processes (no shell; timeouts, process groups). Without its Foundation trait.
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.0", traits: []),
        .package(url: "https://github.com/apple/swift-system", from: "1.5.0"),
        // Prometheus remote-write's protobuf messages (the generated code is committed: scripts/generate-protos).
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // The pure core: model, Ganglia XDR and XML codecs, names, cluster state, configuration.
        // No I/O, no clocks, no Foundation: it is in every program, agents included (docs/architecture.md).
        .target(name: "PlexusCore", dependencies: ["CGlibc"]),
        .executableTarget(
            name: "plexus",
            dependencies: [
                "PlexusAlerts", "PlexusCore", "PlexusTransport", "PlexusArchive", "PlexusSecurity", "PlexusViews",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Linux samplers, one per file, reading only through a HostSystem value (tests use a fake /proc).
        .target(name: "PlexusCollectors", dependencies: ["PlexusCore"]),
        // gmond.conf and gmetad.conf read and written as TOML (--import-gmond-conf, --import-gmetad-conf).
        .target(name: "PlexusMigration", dependencies: ["PlexusCore"]),
        // SwiftNIO glue: UDP send/receive channels (multicast and unicast), the TCP XML server
        // and its client, TLS for both (swift-nio-ssl).
        .target(
            name: "PlexusTransport",
            dependencies: [
                "PlexusCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Plugins (docs/plugins.md): what Munin plugins, Prometheus collectors and gmetric lines
        // print, read as metrics with their metadata and rates. Pure: the agent runs them.
        .target(name: "PlexusPlugins", dependencies: ["PlexusCore", "PlexusCollectors"]),
        // The agent's response-time probes (TCP connect, HTTP and HTTPS).
        .target(
            name: "PlexusProbes",
            dependencies: [
                "PlexusCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // librrd (Debian librrd-dev). Only PlexusArchive's LibRRD.swift calls into it.
        .systemLibrary(name: "CRRD", pkgConfig: "librrd", providers: [.apt(["librrd-dev"])]),
        // libsnappy (Debian libsnappy-dev): remote-write bodies are snappy blocks.
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        // Exports to Graphite and to Prometheus remote-write storage (docs/exports.md): what is
        // sent and how it is named, the bounded queue, backoff. Pure: the aggregator sends.
        .target(
            name: "PlexusExport",
            dependencies: ["PlexusCore", "CSnappy", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        // glibc functions the Glibc module doesn't export: <malloc.h> (mallopt, malloc_trim), strfromd.
        .systemLibrary(name: "CGlibc"),
        // Alert rules evaluated on values and times given to them (no clock, no I/O): pending,
        // firing, resolved.
        .target(name: "PlexusAlerts", dependencies: ["PlexusCore"]),
        // Signed packets (docs/format/signed.md): the envelope, keys and keyrings, the verifier
        // with its replay windows. Values only; HMAC-SHA256 from swift-crypto.
        .target(name: "PlexusSecurity", dependencies: ["PlexusCore", .product(name: "Crypto", package: "swift-crypto")]),
        // What operators are shown of a grid, by the CLI and the dashboard alike: rows (grid, clusters,
        // hosts, metrics) and their columns.
        .target(name: "PlexusViews", dependencies: ["PlexusCore"]),
        // Round-robin archives in gmetad's layout: librrd's _r functions on dedicated threads, our
        // own rrdcached client, reads and graphs; the events journal kept beside them, and the time
        // syntax operators select ranges with. The agent never links it.
        .target(
            name: "PlexusArchive",
            dependencies: [
                "PlexusCore", "CRRD", "CGlibc",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The agent's services: collection schedule, announcer, receiver, XML export.
        .target(
            name: "PlexusAgent",
            dependencies: [
                "PlexusCore", "PlexusCollectors", "PlexusPlugins", "PlexusProbes", "PlexusSecurity", "PlexusTransport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // What the daemons' command lines share: options, reading the configuration, logging.
        .target(
            name: "PlexusCommandLine",
            dependencies: [
                "PlexusCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "plexus-agent",
            dependencies: [
                "PlexusMigration",
                "PlexusAgent", "PlexusCollectors", "PlexusCore", "PlexusCommandLine", "PlexusSecurity", "PlexusTransport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // What the aggregator reports about itself (`/status`): filled by the aggregator, served
        // by it and by the web side, which therefore need not import the aggregator.
        .target(name: "PlexusStatus", dependencies: ["PlexusCore", "PlexusSecurity", "PlexusTransport", "PlexusArchive"]),
        // The aggregator's services around one grid store: a poller or listener per data source,
        // the XML and interactive ports, the root summary; `Aggregator` builds them (and the
        // archive writer and the web side) from the configuration.
        .target(
            name: "PlexusAggregator",
            dependencies: [
                "PlexusAlerts", "PlexusCore", "PlexusSecurity", "PlexusTransport", "PlexusArchive", "PlexusStatus", "PlexusWeb", "PlexusExport", "CGlibc",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The dashboard's HTTP side: Hummingbird routes for the pages, graphs, the JSON and events
        // API and /metrics, served by the aggregator on http_port.
        .target(
            name: "PlexusWeb",
            dependencies: [
                "PlexusAlerts", "PlexusArchive", "PlexusCore", "PlexusSecurity", "PlexusStatus", "PlexusTransport", "PlexusViews",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]
        ),
        .executableTarget(
            name: "plexus-aggregator",
            dependencies: [
                "PlexusAggregator", "PlexusArchive", "PlexusCore", "PlexusCommandLine", "PlexusMigration", "PlexusSecurity", "PlexusTransport", "PlexusWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Generated inputs shared by tests and benchmarks (synthetic grids, seeded randomness).
        .target(
            name: "PlexusTestSupport",
            dependencies: [
                "PlexusCore",
                .product(name: "CompressNIO", package: "compress-nio"), .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Benchmarks driven by scripts/bench (built in release mode there).
        .executableTarget(
            name: "plexus-bench",
            dependencies: ["CGlibc", "PlexusAlerts", "PlexusCore", "PlexusArchive", "PlexusExport", "PlexusSecurity", "PlexusTestSupport"]),
        .testTarget(
            name: "PlexusCoreTests",
            // TOMLKit (toml++) only to check our TOML reader against on the same documents.
            dependencies: ["PlexusCore", "PlexusTestSupport", .product(name: "TOMLKit", package: "TOMLKit")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "PlexusCollectorsTests", dependencies: ["PlexusCollectors"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PlexusAgentTests", dependencies: ["PlexusAgent", "PlexusCollectors", "PlexusSecurity", "PlexusTransport", "PlexusTestSupport"]),
        .testTarget(
            name: "PlexusArchiveTests",
            dependencies: [
                "PlexusArchive", "PlexusTestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "PlexusTransportTests",
            dependencies: [
                "PlexusTransport", "PlexusTestSupport",
                .product(name: "CompressNIO", package: "compress-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "PlexusMigrationTests", dependencies: ["PlexusMigration", "PlexusCore", "PlexusCollectors", "PlexusTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "PlexusAlertsTests", dependencies: ["PlexusAlerts", "PlexusCore"]),
        .testTarget(name: "PlexusExportTests", dependencies: ["PlexusExport", "PlexusCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PlexusSecurityTests", dependencies: ["PlexusSecurity", "PlexusCore"]),
        .testTarget(name: "PlexusViewsTests", dependencies: ["PlexusViews", "PlexusCore"]),
        .testTarget(name: "PlexusPluginsTests", dependencies: ["PlexusPlugins", "PlexusCore", "PlexusCollectors"]),
        .testTarget(name: "PlexusProbesTests", dependencies: ["PlexusProbes", "PlexusCore", "PlexusTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "PlexusWebTests",
            dependencies: [
                "PlexusWeb", "PlexusStatus", "PlexusArchive", "PlexusCore", "PlexusViews", "PlexusTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .testTarget(
            name: "PlexusAggregatorTests",
            dependencies: [
                "CGlibc", "PlexusAggregator", "PlexusAlerts", "PlexusArchive", "PlexusCore", "PlexusExport", "PlexusStatus", "PlexusTransport",
                "PlexusTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Runs the built executables as real processes.
        .testTarget(
            name: "plexusTests",
            dependencies: [
                "PlexusCore", "PlexusArchive", "PlexusSecurity", "PlexusTestSupport", "plexus", "plexus-agent", "plexus-bench",
                .product(name: "CompressNIO", package: "compress-nio"), .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
