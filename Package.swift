// swift-tools-version:6.1
import PackageDescription

// The targets follow the layers of ../shared/design/ARCHITECTURE.md:
//   domain     FrontlineDomain (plain types and policies, no I/O)
//   use cases  FrontlineUseCases (one function per thing that happens to a ticket)
//   adapters   FrontlineStore (PostgreSQL repositories, the outbox), FrontlineStreams (Redis),
//              FrontlineMail (IMAP, Maildir, SMTP, MIME), FrontlineAI (LLM providers, the
//              built-in engine), FrontlineNotify (what notifications say), FrontlineCurl, FrontlineReport
//   runtime    FrontlineRuntime (start-up, logging, metrics, the service group)
//   doors      Services/<Name>: one executable each; main.swift wires, handlers call use cases
// Every target builds in the Swift 6 language mode (the tools-version default).
let package = Package(
    name: "frontline",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mail-ingest", targets: ["MailIngest"]),
        .executable(name: "classifier", targets: ["Classifier"]),
        .executable(name: "assigner", targets: ["Assigner"]),
        .executable(name: "notifier", targets: ["Notifier"]),
        .executable(name: "supplier-reminder", targets: ["SupplierReminder"]),
        .executable(name: "escalation", targets: ["Escalation"]),
        .executable(name: "api", targets: ["API"]),
        .executable(name: "frontline", targets: ["FrontlineCLI"]),
        .executable(name: "frontline-bench", targets: ["FrontlineBench"]),
        .executable(name: "backbone-probe", targets: ["BackboneProbe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.3.0"),
        // Only the OTLP/HTTP exporter: the gRPC one would add minutes to every build.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
        // TLS to Redis, which Debian 12's hiredis cannot speak; both are in the graph through swift-otel.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // C bridges, found through pkg-config.
        .systemLibrary(
            name: "CHiredis", path: "Shared/CHiredis", pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .systemLibrary(
            name: "CLibPQ", path: "Shared/CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CCurl", path: "Shared/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CGMime", path: "Shared/CGMime", pkgConfig: "gmime-3.0",
            providers: [.apt(["libgmime-3.0-dev"])]
        ),
        .systemLibrary(
            name: "CXlsxWriter", path: "Shared/CXlsxWriter", pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev"])]
        ),
        .systemLibrary(name: "CLDAP", path: "Shared/CLDAP", pkgConfig: "ldap", providers: [.apt(["libldap-dev"])]),
        // Swift cannot call the variadic curl_easy_setopt/curl_easy_getinfo: typed wrappers.
        .target(name: "CCurlShim", dependencies: ["CCurl"], path: "Shared/CCurlShim"),
        // GMime behind a plain C API: one call parses a message into C structs, no GLib types.
        .target(name: "CGMimeShim", dependencies: ["CGMime"], path: "Shared/CGMimeShim"),

        // Foundation every layer uses: configuration, the event envelope, JSON, pools, backoff.
        .target(
            name: "FrontlineCore",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Shared/FrontlineCore"
        ),
        // Domain: the ticket and its lifecycle, the catalog, the team, every policy, typed events.
        .target(
            name: "FrontlineDomain", dependencies: ["FrontlineCore", .product(name: "Crypto", package: "swift-crypto")],
            path: "Shared/FrontlineDomain"
        ),

        // Adapters.
        .target(
            name: "FrontlineStore",
            dependencies: [
                "CLibPQ", "FrontlineCore", "FrontlineDomain",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/FrontlineStore"
        ),
        .target(
            name: "FrontlineStreams",
            dependencies: [
                "CHiredis", "FrontlineCore", "FrontlineDomain", "FrontlineStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/FrontlineStreams"
        ),
        .target(
            name: "FrontlineCurl",
            dependencies: ["CCurlShim", "FrontlineCore"],
            path: "Shared/FrontlineCurl"
        ),
        .target(
            name: "FrontlineMail",
            dependencies: ["CGMimeShim", "FrontlineCurl", "FrontlineCore", .product(name: "Crypto", package: "swift-crypto")],
            path: "Shared/FrontlineMail"
        ),
        .target(
            name: "FrontlineAI",
            dependencies: [
                "FrontlineCurl", "FrontlineCore", "FrontlineDomain", "FrontlineStore", .product(name: "CSV", package: "CSV.swift"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Shared/FrontlineAI"
        ),
        .target(
            name: "FrontlineNotify",
            dependencies: [
                "FrontlineAI", "FrontlineCore", "FrontlineMail", "FrontlineDomain",
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            path: "Shared/FrontlineNotify"
        ),
        // Who a requester is: the directory adapters (LDAP through libldap, Microsoft Graph).
        .target(
            name: "FrontlineDirectory", dependencies: ["CLDAP", "FrontlineCurl", "FrontlineCore", "FrontlineDomain", "FrontlineMail"],
            path: "Shared/FrontlineDirectory"
        ),
        // The report is written from the store's read model (`TicketReportLine`), the same rows for every door.
        .target(name: "FrontlineReport", dependencies: ["CXlsxWriter"], path: "Shared/FrontlineReport"),

        // Use cases: what happens to a ticket, each one transaction (state and outbox together).
        // Every door (event handlers, the CLI, the HTTP API) calls these.
        .target(
            name: "FrontlineUseCases",
            dependencies: [
                "FrontlineCore", "FrontlineDomain", "FrontlineStore", "FrontlineStreams", "FrontlineAI", "FrontlineMail",
                "FrontlineNotify", "FrontlineReport", "FrontlineCurl", "FrontlineDirectory", .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Shared/FrontlineUseCases"
        ),

        // Runtime: what every executable's start-up shares.
        .target(
            name: "FrontlineRuntime",
            dependencies: [
                "FrontlineCore", "FrontlineDomain", "FrontlineStore", "FrontlineStreams",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
            ],
            path: "Shared/FrontlineRuntime"
        ),

        // The HTTP API's doors as a library (the router, tokens, the OpenAPI document), so the
        // tests drive it in-process; Services/API only wires it.
        .target(
            name: "FrontlineAPI",
            dependencies: [
                "FrontlineCore", "FrontlineDomain", "FrontlineStore", "FrontlineUseCases", "FrontlineMail", "FrontlineReport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/FrontlineAPI",
            resources: [.embedInCode("openapi.yaml")]
        ),

        // The web console (HTML door, served by the api process beside /api/v1).
        .target(
            name: "FrontlineConsole",
            dependencies: [
                "FrontlineCore", "FrontlineDomain", "FrontlineStore", "FrontlineUseCases", "FrontlineMail", "FrontlineNotify",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/FrontlineConsole",
            resources: [.embedInCode("Pages/layout.mustache"), .embedInCode("Pages/ticket.mustache"), .embedInCode("Assets/console.css")]
        ),

        // Doors: the six services and the admin CLI. Each main.swift only wires.
        .executableTarget(
            name: "MailIngest",
            dependencies: ["FrontlineRuntime", "FrontlineUseCases", "FrontlineMail", .product(name: "Metrics", package: "swift-metrics")],
            path: "Services/MailIngest"
        ),
        .executableTarget(
            name: "Classifier", dependencies: ["FrontlineRuntime", "FrontlineAI", "FrontlineCurl", "FrontlineUseCases", "FrontlineDirectory"],
            path: "Services/Classifier"
        ),
        .executableTarget(name: "Assigner", dependencies: ["FrontlineRuntime", "FrontlineDomain", "FrontlineUseCases"], path: "Services/Assigner"),
        .executableTarget(
            name: "Notifier",
            dependencies: ["FrontlineRuntime", "FrontlineNotify", "FrontlineMail", "FrontlineAI", "FrontlineDomain", "FrontlineCurl", "FrontlineUseCases"],
            path: "Services/Notifier"
        ),
        .executableTarget(
            name: "SupplierReminder", dependencies: ["FrontlineRuntime", "FrontlineDomain", "FrontlineUseCases"], path: "Services/SupplierReminder"
        ),
        .executableTarget(
            name: "Escalation", dependencies: ["FrontlineRuntime", "FrontlineDomain", "FrontlineUseCases", "FrontlineDirectory"],
            path: "Services/Escalation"
        ),
        .executableTarget(
            name: "API",
            dependencies: [
                "FrontlineRuntime", "FrontlineAPI", "FrontlineConsole", "FrontlineUseCases", "FrontlineMail", "FrontlineNotify", "FrontlineCurl", "FrontlineAI",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Services/API"
        ),
        .executableTarget(
            name: "FrontlineCLI",
            dependencies: [
                "FrontlineRuntime", "FrontlineAPI", "FrontlineUseCases", "FrontlineAI", "FrontlineDomain", "FrontlineNotify", "FrontlineReport", "FrontlineMail",
                "FrontlineCurl", .product(name: "Yams", package: "Yams"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Services/FrontlineCLI"
        ),

        // Benchmarks and the test helper process (a consumer the integration tests can kill).
        .executableTarget(
            name: "FrontlineBench",
            dependencies: [
                "FrontlineRuntime", "FrontlineMail", "FrontlineAI", "FrontlineDomain",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tests/Benchmarks/FrontlineBench"
        ),
        .executableTarget(
            name: "BackboneProbe",
            dependencies: [
                "FrontlineRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tests/Support/BackboneProbe"
        ),

        // The testing kit: a scratch deployment on the real servers (its own database and stream
        // prefix), in-process use cases with a clock the test sets, typed outbox reads, the
        // service processes, and the SMTP and LLM stand-ins.
        .target(
            name: "FrontlineTesting",
            dependencies: [
                "FrontlineRuntime", "FrontlineCurl", "FrontlineMail", "FrontlineAI", "FrontlineDomain", "FrontlineNotify",
                "FrontlineUseCases",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Tests/Support/FrontlineTesting"
        ),

        // Tests.
        .testTarget(
            name: "FrontlineCoreTests",
            dependencies: [
                "FrontlineCore", "FrontlineRuntime", "FrontlineMail", "FrontlineAI", "FrontlineDomain", "FrontlineNotify", "FrontlineReport",
                "FrontlineConsole", "FrontlineUseCases", "FrontlineDirectory",
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Tests/FrontlineCoreTests"
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "FrontlineTesting", "FrontlineAPI", "FrontlineConsole", "FrontlineDirectory",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                "FrontlineRuntime", "FrontlineCurl", "FrontlineMail", "FrontlineAI", "FrontlineDomain", "FrontlineNotify", "FrontlineUseCases",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            path: "Tests/IntegrationTests",
            exclude: ["Corpus"]
        ),
    ]
)
