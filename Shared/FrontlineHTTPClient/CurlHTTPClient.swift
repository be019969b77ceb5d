import CCurl
import CCurlShim
import Foundation
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
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A libcurl failure. The description is curl's generic text for the code: it never holds the
/// URL, which may carry credentials.
public struct CurlError: Error, CustomStringConvertible, Sendable {
    public var code: Int
    public var message: String

    public var isTimeout: Bool { code == Int(CURLE_OPERATION_TIMEDOUT.rawValue) }
    public var isConnectionFailure: Bool {
        [CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING]
            .map { Int($0.rawValue) }.contains(code)
    }
    public var description: String { "curl error \(code): \(message)" }
}

/// HTTP over libcurl on dedicated threads, one easy handle per thread (reused, so connections
/// to the same host are kept alive).
public final class CurlHTTPClient: Sendable {
    private let pool: DedicatedThreadPool<CurlEasy>

    public init(threads: Int = 2) {
        CurlEasy.globalInit()
        pool = DedicatedThreadPool(name: "curl", size: threads) { CurlEasy() }
    }

    public func perform(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await pool.run { easy in try easy.perform(request) }
    }

    public func shutdown() { pool.shutdown() }
}

/// One libcurl easy handle. Not thread-safe: it lives on one thread.
public final class CurlEasy {
    private let handle: UnsafeMutableRawPointer

    private static let initialised: Void = { curl_global_init(Int(CURL_GLOBAL_ALL)) }()
    static func globalInit() { _ = initialised }

    public init() {
        Self.globalInit()
        handle = curl_easy_init()
    }

    deinit { curl_easy_cleanup(handle) }

    public func perform(_ request: HTTPRequest) throws(CurlError) -> HTTPResponse {
        curl_easy_reset(handle)
        let sink = ResponseSink()
        let unmanaged = Unmanaged.passRetained(sink)
        defer { unmanaged.release() }
        var headerList: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // An empty Expect: no 100-continue round trip before a body.
        headerList = curl_slist_append(headerList, "Expect:")
        defer { curl_slist_free_all(headerList) }

        try check(frontline_curl_setopt_string(handle, CURLOPT_URL, request.url))
        try check(frontline_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        try check(frontline_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(request.timeout.milliseconds)))
        try check(frontline_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(min(request.timeout, .seconds(10)).milliseconds)))
        try check(frontline_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method))
        try check(frontline_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
        try check(frontline_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, unmanaged.toOpaque()))
        try check(frontline_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION) { pointer, size, count, userdata in
            let sink = Unmanaged<ResponseSink>.fromOpaque(userdata!).takeUnretainedValue()
            let length = size * count
            if let pointer { sink.body.append(contentsOf: UnsafeRawBufferPointer(start: pointer, count: length)) }
            return length
        })
        try check(frontline_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, unmanaged.toOpaque()))
        try check(frontline_curl_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION) { pointer, size, count, userdata in
            let sink = Unmanaged<ResponseSink>.fromOpaque(userdata!).takeUnretainedValue()
            let length = size * count
            if let pointer {
                let line = String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
                if line.hasPrefix("HTTP/") { sink.headers = [:] }  // a new response (after a 100 or a redirect)
                if let colon = line.firstIndex(of: ":") {
                    let name = line[..<colon].lowercased()
                    sink.headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                }
            }
            return length
        })
        let body = request.body
        let code: CURLcode = body.withUnsafeBufferPointer { buffer in
            if !body.isEmpty || ["POST", "PUT", "PATCH"].contains(request.method) {
                _ = frontline_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                _ = frontline_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!))
            }
            return curl_easy_perform(handle)
        }
        try check(code)
        var status = 0
        try check(frontline_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status))
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }

    private func check(_ code: CURLcode) throws(CurlError) {
        guard code != CURLE_OK else { return }
        throw CurlError(code: Int(code.rawValue), message: String(cString: curl_easy_strerror(code)))
    }
}

final class ResponseSink {
    var body: [UInt8] = []
    var headers: [String: String] = [:]
}
