import ArgumentParser
import Foundation
import FrontlineCurl
import FrontlineDomain
import FrontlineMail
import FrontlineReport
import FrontlineRuntime
import FrontlineUseCases

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The batch import of another helpdesk's requests: its catalog replaces ours (`ReplaceCatalog`),
/// each request becomes a ticket through `SubmitTicket` (once: by its id), and optionally the
/// command waits until they are classified, writes their report and queues it by email.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import requests and the service catalog from another system's JSON API: tickets created once by their id.",
        discussion: """
            The catalog (categories with request types and an SLA value and unit) replaces ours; an invalid one stops the \
            import before any ticket. Each request (an id, a short and a long description, a requester email) becomes a \
            ticket, once: a second import of the same id finds the first ticket. Pages are followed through a `next` link \
            in the body or an RFC 8288 Link header. Our fields are id, title, description, requester and requester_name; \
            name theirs with --map when they differ (--map title=short_description,requester=caller.email).
            """
    )

    @Option(help: "URL of the requests: a JSON array, or an object holding one, with a next link while more pages follow.")
    var requests: String
    @Option(help: "URL of the service catalog (JSON).") var catalog: String
    @Option(name: .customLong("header"), help: "A header sent with every request to both URLs, NAME:VALUE (an API key); repeatable.")
    var headers: [String] = []
    @Option(name: .customLong("map"), help: "ours=theirs[,...]: which of their fields holds ours (id, title, description, requester, requester_name).")
    var maps: [String] = []
    @Option(help: "The name the requests' ids are kept under (default: the requests URL's host).") var source: String?
    @Flag(help: "Wait until every imported ticket is classified.") var wait = false
    @Option(help: "How long --wait waits: seconds, or a number with s, m or h.") var timeout = "10m"
    @Option(help: "Write the report of the imported tickets to this XLSX file.") var report: String?
    @Option(help: "Email the report to this address (with --report); the notifier sends it.") var email: String?

    /// What one HTTP request to the feeds may take.
    static let httpTimeout: Duration = .seconds(60)
    /// How often --wait looks at the store.
    static let pollInterval: Duration = .seconds(1)

    func run() async throws {
        let arguments = try Arguments(self)
        let context = CLIContext.make()
        let output = ProgressOutput()
        let http = CurlHTTPClient(threads: 1)
        defer { http.shutdown() }
        let feeds = FeedClient(http: http, headers: arguments.headers)
        let actor = CLIContext.actor

        // The catalog first: a catalog we cannot use stops the import before any ticket.
        let catalog: ServiceCatalog
        do {
            catalog = try CatalogReader.read(try await feeds.get(arguments.catalog).body)
        } catch let unreadable as CatalogReadError {
            throw CLIError(description: Self.catalogProblems(unreadable.problems, from: arguments.catalog))
        }
        let problems = catalog.problems
        guard problems.isEmpty else { throw CLIError(description: Self.catalogProblems(problems, from: arguments.catalog)) }
        output.line("catalog: \(catalog.categories.count) categories, \(catalog.labels.count) request types from \(ImportURL.redacted(arguments.catalog))")

        // Every page before any change, so that a feed that fails halfway changes nothing.
        let fetched = try await fetchRequests(arguments, feeds: feeds, output: output)

        if try await context.unitOfWork.read({ try $0.catalog.load() }) == catalog {
            output.line("catalog unchanged")
        } else {
            do {
                try await ReplaceCatalog().run(catalog, by: actor, in: context.unitOfWork)
            } catch let invalid as ReplaceCatalog.Invalid {
                throw CLIError(description: Self.catalogProblems(invalid.problems, from: arguments.catalog))
            }
            output.line("catalog replaced")
        }

        let created = try await createTickets(fetched.requests, arguments: arguments, context: context, output: output)
        let skipped = fetched.skipped + created.skipped
        let tickets = created.tickets

        var classified = try await context.unitOfWork.read { try $0.classifications.classified(among: tickets) }.count
        if arguments.wait { classified = try await waitForClassification(tickets, timeout: arguments.timeout, context: context, output: output) }

        var finished = [
            "\(fetched.requests.count + fetched.skipped) requests fetched", "\(created.new) new", "\(created.existing) already imported",
        ]
        if created.continued > 0 { finished.append("\(created.continued) added to an existing ticket") }
        if skipped > 0 { finished.append("\(skipped) skipped") }
        finished.append("\(classified) of \(tickets.count) classified")
        if let file = arguments.report {
            let report = try await TicketReport.read(tickets: tickets, at: context.clock.now(), in: context.unitOfWork)
            do { try report.writeXLSX(to: file) } catch { throw CLIError(description: "\(error)") }
            output.line("wrote \(file): \(report.rows.count) tickets")
            finished.append("report \(file)")
            if let email = arguments.email {
                try await ReportCommand.email(file, tickets: report.rows.count, to: email, in: context)
                finished.append("emailed to \(email)")
            }
        }
        output.line("import done: " + finished.joined(separator: ", "))
        // Skipped requests were each named on stderr; a script notices them by the status too.
        if skipped > 0 { throw ExitCode(1) }
    }

    static func catalogProblems(_ problems: [String], from url: URL) -> String {
        "the catalog from \(ImportURL.redacted(url)) cannot be used; nothing was imported:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }

    // MARK: - Fetching

    struct Fetched {
        var requests: [ImportedRequest] = []
        var skipped = 0
    }

    /// Every page of the feed, each record read through the field map; a record that is not a
    /// request is named on stderr and skipped, a second record with the same id is taken once.
    func fetchRequests(_ arguments: Arguments, feeds: FeedClient, output: ProgressOutput) async throws -> Fetched {
        var fetched = Fetched()
        var ids = Set<String>()
        var repeated = 0
        var walk = try FeedWalk(start: arguments.requests)
        var url = walk.first()
        pages: while true {
            let response = try await feeds.get(url)
            let page = try RequestPageReader.read(response.body, from: url, linkHeader: response.headers["link"])
            for record in page.records {
                do {
                    let request = try arguments.map.request(from: record)
                    if ids.insert(request.id).inserted { fetched.requests.append(request) } else { repeated += 1 }
                } catch {
                    fetched.skipped += 1
                    output.problem("skipped: page \(walk.pages): \(error.description)")
                }
            }
            output.line("page \(walk.pages): \(page.records.count) requests (\(fetched.requests.count + fetched.skipped) so far)")
            switch try walk.step(after: page.next) {
            case .page(let next): url = next
            case .end: break pages
            case .loop(let back):
                output.line("page \(walk.pages) links back to \(ImportURL.redacted(back)), read before: stopping there")
                break pages
            }
        }
        if repeated > 0 { output.line("\(repeated) requests repeat an id seen before: each id is imported once") }
        return fetched
    }

    // MARK: - Creating tickets

    struct Created {
        var tickets: [Int64] = []
        var new = 0
        var existing = 0
        var continued = 0
        var skipped = 0
    }

    /// Each request through `SubmitTicket`, written as mail from the requester to our address
    /// like every submitted ticket, its id kept as the ticket's external reference.
    func createTickets(_ requests: [ImportedRequest], arguments: Arguments, context: CLIContext, output: ProgressOutput) async throws -> Created {
        let own: MailAddress
        do { own = try Environment().ownMailAddress() } catch { throw CLIError(description: "\(error)") }
        let ingest = IngestMessage(
            settings: .init(autoReplyGuard: AutoReplyGuard(ownLoopValue: own.address), ownAddresses: [own.address.lowercased()]),
            clock: context.clock, logger: context.logger
        )
        let submit = SubmitTicket(ingest: ingest, ownAddress: own)
        let actor = CLIContext.actor
        var created = Created()
        let every = ProgressOutput.step(for: requests.count)
        for (index, request) in requests.enumerated() {
            let submission = TicketSubmission(
                requester: MailAddress(request.requesterEmail, name: request.requesterName), subject: request.title, body: request.description,
                externalReference: ExternalReference(source: arguments.source, id: request.id)
            )
            do {
                let outcome = try await submit.run(submission, by: actor, in: context.unitOfWork)
                switch outcome {
                case .created: created.new += 1
                case .existing: created.existing += 1
                case .continued: created.continued += 1
                }
                if !created.tickets.contains(outcome.ticket) { created.tickets.append(outcome.ticket) }
            } catch let rejected as SubmitTicket.Rejected {
                created.skipped += 1
                output.problem("skipped: request \"\(request.id.prefix(100))\": \(rejected.description)")
            }
            let done = index + 1
            output.progress(
                "tickets: \(done)/\(requests.count) (\(created.new) new, \(created.existing) already imported)",
                show: done % every == 0, last: done == requests.count
            )
        }
        return created
    }

    // MARK: - Waiting

    /// Polls the store until every ticket has its classification; a timeout is an error naming
    /// how many still wait.
    func waitForClassification(_ tickets: [Int64], timeout: Duration, context: CLIContext, output: ProgressOutput) async throws -> Int {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        let every = ProgressOutput.step(for: tickets.count)
        var shown = -1
        while true {
            let classified = try await context.unitOfWork.read { try $0.classifications.classified(among: tickets) }.count
            let done = classified == tickets.count
            if classified != shown {
                output.progress("classified: \(classified)/\(tickets.count)", show: shown < 0 || classified / every != shown / every, last: done)
                shown = classified
            }
            if done { return classified }
            guard clock.now < deadline else {
                output.progress("classified: \(classified)/\(tickets.count)", show: true, last: true)
                throw CLIError(
                    description: "gave up waiting after \(Arguments.text(timeout)): \(tickets.count - classified) of \(tickets.count) imported tickets are "
                        + "not classified yet (is the classifier running?); run the import again to wait for them"
                )
            }
            try await Task.sleep(for: Self.pollInterval)
        }
    }
}

extension ImportCommand {
    /// The command's arguments, checked: one clear line for the first that is wrong.
    struct Arguments {
        var requests: URL
        var catalog: URL
        var headers: [(String, String)]
        var map: ImportFieldMap
        var source: String
        var wait: Bool
        var timeout: Duration
        var report: String?
        var email: String?

        init(_ command: ImportCommand) throws {
            requests = try Self.url(command.requests, option: "--requests")
            catalog = try Self.url(command.catalog, option: "--catalog")
            headers = try command.headers.map(Self.header)
            do { map = try ImportFieldMap(parsing: command.maps) } catch { throw CLIError(description: error.description) }
            let source = (command.source ?? requests.host ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            guard !source.isEmpty, source.count <= 100 else { throw CLIError(description: "--source must be a name of 1 to 100 characters") }
            self.source = source
            wait = command.wait
            guard let timeout = Self.duration(command.timeout) else {
                throw CLIError(description: "--timeout must be seconds or a number with s, m or h (90, 90s, 10m, 1h), got \"\(command.timeout)\"")
            }
            self.timeout = timeout
            report = command.report
            email = command.email
            if let email {
                guard report != nil else { throw CLIError(description: "--email sends the report: give --report FILE.xlsx too") }
                guard EmailAddress(email) != nil else { throw CLIError(description: "--email must be an email address, got \"\(email)\"") }
            }
        }

        static func url(_ text: String, option: String) throws -> URL {
            guard let url = URL(string: text.trimmingCharacters(in: .whitespaces)) else { throw CLIError(description: "\(option) is not a URL") }
            do { try ImportURL.check(url) } catch { throw CLIError(description: "\(option): \(error.description)") }
            return url
        }

        /// NAME:VALUE. A wrong one is named by its name only: the value is often a secret.
        static func header(_ text: String) throws -> (String, String) {
            guard let colon = text.firstIndex(of: ":") else {
                throw CLIError(description: "--header must be NAME:VALUE (the value was not shown)")
            }
            let name = text[..<colon].trimmingCharacters(in: .whitespaces)
            let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            let token = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "!#$%&'*+-.^_`|~"))
            guard !name.isEmpty, name.unicodeScalars.allSatisfy({ token.contains($0) && $0.isASCII }) else {
                throw CLIError(description: "--header: \"\(name.prefix(60))\" is not a header name")
            }
            guard !value.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                throw CLIError(description: "--header \(name): the value holds a line break")
            }
            return (name, value)
        }

        /// "90", "90s", "10m", "1h".
        static func duration(_ text: String) -> Duration? {
            let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
            let multiplier: Double
            var number = Substring(trimmed)
            switch trimmed.last {
            case "s": multiplier = 1; number = number.dropLast()
            case "m": multiplier = 60; number = number.dropLast()
            case "h": multiplier = 3600; number = number.dropLast()
            default: multiplier = 1
            }
            guard let value = Double(number), value.isFinite, value > 0 else { return nil }
            return .seconds(value * multiplier)
        }

        static func text(_ duration: Duration) -> String {
            let seconds = Int(duration.components.seconds)
            if seconds >= 3600, seconds % 3600 == 0 { return "\(seconds / 3600)h" }
            if seconds >= 60, seconds % 60 == 0 { return "\(seconds / 60)m" }
            return "\(seconds)s"
        }
    }

    /// GETs the feeds with the given headers; a failure is one line naming the URL (without its
    /// credentials) and never a header's value.
    struct FeedClient {
        let http: CurlHTTPClient
        let headers: [(String, String)]

        func get(_ url: URL) async throws -> HTTPResponse {
            let shown = ImportURL.redacted(url)
            var sent = headers
            if !sent.contains(where: { $0.0.lowercased() == "accept" }) { sent.append(("Accept", "application/json")) }
            let response: HTTPResponse
            do {
                response = try await http.perform(HTTPRequest(url: url.absoluteString, headers: sent, timeout: ImportCommand.httpTimeout))
            } catch let error as CurlError {
                let reason = error.isTimeout ? "no answer within \(Arguments.text(ImportCommand.httpTimeout))" : error.message
                throw CLIError(description: "GET \(shown): \(reason)")
            }
            guard (200..<300).contains(response.status) else {
                let hint = [401, 403].contains(response.status) ? " (check the --header values)" : ""
                throw CLIError(description: "GET \(shown): HTTP \(response.status)\(hint)")
            }
            return response
        }
    }
}

/// The import's lines on stdout: each written at once (not buffered until the end), and a
/// running count rewritten in place on a terminal, or printed every so often as plain lines
/// when stdout is a file or a pipe. Skipped requests go to stderr.
final class ProgressOutput {
    let terminal = isatty(STDOUT_FILENO) == 1
    /// A count is standing on the terminal's last line, without its newline yet.
    private var progressOpen = false

    /// Every how many items a plain-line count is printed: about ten lines for a run, at least every 10.
    static func step(for total: Int) -> Int { max(10, total / 10) }

    func line(_ text: String) {
        closeProgress()
        write(text + "\n", to: .standardOutput)
    }

    func problem(_ text: String) {
        closeProgress()
        write(text + "\n", to: .standardError)
    }

    /// A running count: in place on a terminal; else printed when `show` or `last`.
    func progress(_ text: String, show: Bool, last: Bool) {
        if terminal {
            write("\r\u{1B}[K" + text + (last ? "\n" : ""), to: .standardOutput)
            progressOpen = !last
        } else if show || last {
            write(text + "\n", to: .standardOutput)
        }
    }

    private func closeProgress() {
        guard progressOpen else { return }
        progressOpen = false
        write("\n", to: .standardOutput)
    }

    private func write(_ text: String, to handle: FileHandle) { handle.write(Data(text.utf8)) }
}
