import CCurl
import FrontlineCore

public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]
    public var timeout: Duration

    public init(method: String = "GET", url: String, headers: [(String, String)] = [], body: [UInt8] = [], timeout: Duration = .seconds(30)) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased; the final response's headers only.
    public var headers: [String: String]
    public var body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// HTTP over libcurl on dedicated threads, one handle per thread, kept between requests so
/// that connections are reused.
public final class CurlHTTPClient: Sendable {
    private let pool: DedicatedThreadPool<CurlHandle>

    public init(threads: Int = 2) {
        pool = DedicatedThreadPool(name: "curl-http", size: threads) { CurlHandle() }
    }

    public func perform(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await pool.run { handle in try handle.http(request) }
    }

    public func shutdown() { pool.shutdown() }
}

extension CurlHandle {
    public func http(_ request: HTTPRequest) throws(CurlError) -> HTTPResponse {
        var headerList: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers { headerList = curl_slist_append(headerList, "\(name): \(value)") }
        // No 100-continue round trip before a body.
        headerList = curl_slist_append(headerList, "Expect:")
        defer { curl_slist_free_all(headerList) }
        let sendsBody = !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(request.method)
        let transfer = try perform(upload: sendsBody ? request.body : nil) { options throws(CurlError) in
            try options.set(CURLOPT_URL, request.url)
            try options.set(CURLOPT_TIMEOUT_MS, Int(request.timeout.milliseconds))
            try options.set(CURLOPT_CONNECTTIMEOUT_MS, Int(min(request.timeout, .seconds(10)).milliseconds))
            try options.set(CURLOPT_CUSTOMREQUEST, request.method)
            try options.set(CURLOPT_HTTPHEADER, headerList)
        }
        var headers: [String: String] = [:]
        for line in transfer.headerLines {
            if line.hasPrefix("HTTP/") { headers = [:] }  // a new response (after a 100 or a redirect)
            if let colon = line.firstIndex(of: ":") {
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        return HTTPResponse(status: transfer.responseCode, headers: headers, body: transfer.body)
    }
}

import Foundation
