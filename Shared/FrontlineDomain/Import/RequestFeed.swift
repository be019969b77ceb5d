import Foundation
import FrontlineCore

/// A page of the requests feed, or the catalog, that cannot be read. Names the URL without
/// its credentials (`ImportURL.redacted`), never a header's value.
public struct ImportFeedError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// One page of the requests feed: its records and where the next page is.
public struct RequestPage: Sendable, Equatable {
    public var records: [JSONValue]
    public var next: URL?

    public init(records: [JSONValue], next: URL?) {
        self.records = records
        self.next = next
    }
}

/// Reads a page of requests as the common JSON APIs serve them: a top-level array, or an object
/// with the array under one of `listKeys` (or its only array of objects), and the next page in
/// the body (`next`, `links.next`, `@odata.nextLink`, ...) or in an RFC 8288 `Link: <...>;
/// rel="next"` header. A relative next URL is resolved against the page's own URL.
public enum RequestPageReader {
    /// Where an object keeps its list, looked for in this order.
    public static let listKeys = ["results", "requests", "items", "data", "records", "result", "tickets", "entries", "value"]
    /// Where an object keeps its next page, looked for in this order (dotted: nested).
    public static let nextKeys = [
        "next", "next_url", "nextUrl", "next_page_url", "nextPageUrl", "@odata.nextLink", "links.next", "_links.next",
        "paging.next", "pagination.next", "meta.next",
    ]

    public static func read(_ body: [UInt8], from url: URL, linkHeader: String? = nil) throws(ImportFeedError) -> RequestPage {
        let shown = ImportURL.redacted(url)
        let json: JSONValue
        do {
            json = try JSONDecoder().decode(JSONValue.self, from: Data(body))
        } catch {
            throw ImportFeedError("\(shown): the answer is not JSON")
        }
        let headerNext = linkHeader.flatMap { LinkHeader.target(of: "next", in: $0, relativeTo: url) }
        switch json {
        case .array(let records):
            return RequestPage(records: records, next: headerNext)
        case .object(let object):
            guard let records = list(in: object) else {
                throw ImportFeedError(
                    "\(shown): no list of requests in the answer (a JSON array, or an object with one under \(listKeys.joined(separator: ", ")))"
                )
            }
            let bodyNext = try next(in: object, relativeTo: url)
            return RequestPage(records: records, next: bodyNext ?? headerNext)
        default:
            throw ImportFeedError("\(shown): the answer is neither a JSON array nor an object holding one")
        }
    }

    /// The list of an object: under a known key (also one level down, `{"data": {"items": [...]}}`),
    /// else its only array of objects.
    static func list(in object: [String: JSONValue], depth: Int = 0) -> [JSONValue]? {
        for key in listKeys {
            switch ImportFieldMap.lookup(key, in: object) {
            case .array(let records)?: return records
            case .object(let inner)? where depth == 0:
                if let records = list(in: inner, depth: 1) { return records }
            default: continue
            }
        }
        let arrays = object.values.compactMap { value -> [JSONValue]? in
            guard case .array(let records) = value, records.allSatisfy({ if case .object = $0 { true } else { false } }) else { return nil }
            return records
        }
        return arrays.count == 1 ? arrays[0] : nil
    }

    /// The next page named in the body: a URL string, or an object with `href`; null or empty is the end.
    static func next(in object: [String: JSONValue], relativeTo url: URL) throws(ImportFeedError) -> URL? {
        for key in nextKeys {
            let text: String
            switch ImportFieldMap.lookup(key, in: object) {
            case .string(let value)?: text = value.trimmingCharacters(in: .whitespaces)
            case .object(let link)?:
                guard case .string(let href)? = link["href"] else { continue }
                text = href.trimmingCharacters(in: .whitespaces)
            default: continue
            }
            if text.isEmpty { return nil }
            guard let next = URL(string: text, relativeTo: url)?.absoluteURL else {
                throw ImportFeedError("\(ImportURL.redacted(url)): its next link \"\(text.prefix(200))\" is not a URL")
            }
            return next
        }
        return nil
    }
}

/// RFC 8288 `Link` headers: `<https://x/p2>; rel="next", <https://x/p9>; rel="last"`.
public enum LinkHeader {
    /// The target of the first link whose `rel` holds `relation`, resolved against `base`.
    public static func target(of relation: String, in header: String, relativeTo base: URL) -> URL? {
        var rest = Substring(header)
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { return nil }
            let target = rest[rest.index(after: open)..<close]
            // The parameters run to the next comma outside quotes.
            var parameters = ""
            var index = rest.index(after: close)
            var quoted = false
            while index < rest.endIndex {
                let character = rest[index]
                if character == "\"" { quoted.toggle() }
                if character == ",", !quoted { break }
                parameters.append(character)
                index = rest.index(after: index)
            }
            rest = index < rest.endIndex ? rest[rest.index(after: index)...] : ""
            for parameter in parameters.split(separator: ";") {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, pair[0].lowercased() == "rel" else { continue }
                let relations = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased().split(separator: " ")
                if relations.contains(Substring(relation.lowercased())) {
                    return URL(string: String(target).trimmingCharacters(in: .whitespaces), relativeTo: base)?.absoluteURL
                }
            }
        }
        return nil
    }
}

/// The walk over the feed's pages: where the next one is, stopping at the end, at a page seen
/// before (a feed whose next link points back), and at a next link that leaves the site the
/// walk started on (the `--header` values, often an API key, go only to that site).
public struct FeedWalk: Sendable {
    public enum Step: Sendable, Equatable {
        case page(URL)
        case end
        /// The next link points at a page read before: following it would never end.
        case loop(URL)
    }

    /// Pages read at most: a feed longer than this is taken for a broken one.
    public static let maxPages = 10_000

    let start: URL
    var visited: Set<String> = []
    public private(set) var pages = 0

    public init(start: URL) throws(ImportFeedError) {
        try ImportURL.check(start)
        self.start = start
    }

    /// The first page.
    public mutating func first() -> URL {
        visited.insert(start.absoluteString)
        pages = 1
        return start
    }

    /// Where to go after a page whose next link is `next`.
    public mutating func step(after next: URL?) throws(ImportFeedError) -> Step {
        guard let next else { return .end }
        guard next.scheme?.lowercased() == start.scheme?.lowercased(), next.host?.lowercased() == start.host?.lowercased(), next.port == start.port
        else {
            throw ImportFeedError(
                "page \(pages) of \(ImportURL.redacted(start)) links to another site (\(ImportURL.redacted(next))); the feed is read only from \(start.host ?? "its own site")"
            )
        }
        guard visited.insert(next.absoluteString).inserted else { return .loop(next) }
        guard pages < Self.maxPages else { throw ImportFeedError("\(ImportURL.redacted(start)): more than \(Self.maxPages) pages; stopped") }
        pages += 1
        return .page(next)
    }
}

/// URLs of the feeds as we show and accept them.
public enum ImportURL {
    /// Query parameters whose value is hidden when a URL is shown: they often carry a key.
    static let secretParameterWords = ["key", "token", "secret", "sig", "pass", "auth", "code", "session"]

    /// The URL as it may be shown in a message: no user or password, and the values of query
    /// parameters that look like credentials (`api_key`, `token`, `signature`, ...) hidden.
    public static func redacted(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: true) else { return "(a URL)" }
        components.user = nil
        components.password = nil
        components.queryItems = components.queryItems?.map { item in
            let name = item.name.lowercased()
            guard secretParameterWords.contains(where: { name.contains($0) }) else { return item }
            return URLQueryItem(name: item.name, value: "redacted")
        }
        return components.string ?? "(a URL)"
    }

    /// Only http and https with a host: libcurl would read `file:` and others too.
    public static func check(_ url: URL) throws(ImportFeedError) {
        guard let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), let host = url.host, !host.isEmpty else {
            throw ImportFeedError("\(redacted(url)) is not an http or https URL")
        }
    }
}
