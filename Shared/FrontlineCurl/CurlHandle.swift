import CCurl
import CCurlShim
import Foundation
import FrontlineCore

/// A libcurl failure. The description is curl's generic text for the code: it never holds the
/// URL, which may carry credentials.
public struct CurlError: Error, CustomStringConvertible, Sendable {
    public var code: Int
    public var message: String
    /// The protocol's own answer when there was one (an SMTP or IMAP response code).
    public var responseCode: Int?

    public init(code: Int, message: String, responseCode: Int? = nil) {
        self.code = code
        self.message = message
        self.responseCode = responseCode
    }

    public var isTimeout: Bool { code == Int(CURLE_OPERATION_TIMEDOUT.rawValue) }
    public var isConnectionFailure: Bool {
        [CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING]
            .map { Int($0.rawValue) }.contains(code)
    }
    public var isLoginDenied: Bool { code == Int(CURLE_LOGIN_DENIED.rawValue) }
    /// The answer passed the `maxBodyBytes` the transfer was given.
    public var isTooLarge: Bool { code == Int(CURLE_FILESIZE_EXCEEDED.rawValue) }
    public var description: String {
        "curl error \(code): \(message)" + (responseCode.map { " (server answered \($0))" } ?? "")
    }
}

extension CurlError: TransientFailure {
    /// The server could not be reached or did not answer in time, or an SMTP server answered
    /// with a 4xx (try again later). A 5xx answer (a rejected recipient) is final, even when
    /// curl reports it as a send or receive error.
    public var isTransient: Bool {
        if let responseCode {
            if (400..<500).contains(responseCode) { return true }
            if (500..<600).contains(responseCode) { return false }
        }
        return isTimeout || isConnectionFailure
    }
}

/// One libcurl easy handle: HTTP, IMAP and SMTP all go through it. Not thread-safe: it lives
/// on one thread. Kept between transfers so that connections to the same server are reused.
public final class CurlHandle {
    let handle: UnsafeMutableRawPointer

    private static let initialised: Void = { curl_global_init(Int(CURL_GLOBAL_ALL)) }()

    public init() {
        _ = Self.initialised
        handle = curl_easy_init()
    }

    deinit { curl_easy_cleanup(handle) }

    public struct Transfer {
        public var body: [UInt8] = []
        /// Response header lines (HTTP) or untagged/intermediate lines, as libcurl gives them.
        public var headerLines: [String] = []
        public var responseCode: Int = 0
    }

    /// Options for one transfer, set through the typed shim.
    public struct Options {
        let handle: UnsafeMutableRawPointer
        public func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
            try check(frontline_curl_setopt_long(handle, option, value))
        }
        public func set(_ option: CURLoption, _ value: String) throws(CurlError) {
            try check(frontline_curl_setopt_string(handle, option, value))
        }
        public func set(_ option: CURLoption, _ value: UnsafeMutablePointer<curl_slist>?) throws(CurlError) {
            try check(frontline_curl_setopt_slist(handle, option, value))
        }
    }

    /// Runs one transfer. `configure` sets its options; `upload` is sent as the request body
    /// (HTTP POST fields) or as the upload (IMAP APPEND, SMTP DATA) when `asUpload` is true.
    /// A body longer than `maxBodyBytes` stops the transfer (`isTooLarge`) instead of filling memory.
    public func perform(
        upload: [UInt8]? = nil, asUpload: Bool = false, maxBodyBytes: Int? = nil, _ configure: (Options) throws(CurlError) -> Void
    ) throws(CurlError) -> Transfer {
        curl_easy_reset(handle)
        let sink = TransferSink(upload: upload ?? [])
        sink.maxBodyBytes = max(0, maxBodyBytes ?? Int.max)
        let unmanaged = Unmanaged.passRetained(sink)
        defer { unmanaged.release() }
        let options = Options(handle: handle)
        try options.set(CURLOPT_NOSIGNAL, 1)
        try check(frontline_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, unmanaged.toOpaque()))
        try check(frontline_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION) { pointer, size, count, userdata in
            let sink = Unmanaged<TransferSink>.fromOpaque(userdata!).takeUnretainedValue()
            guard size * count <= sink.maxBodyBytes - sink.body.count else {
                sink.overflowed = true
                return 0  // libcurl stops the transfer with a write error
            }
            if let pointer { sink.body.append(contentsOf: UnsafeRawBufferPointer(start: pointer, count: size * count)) }
            return size * count
        })
        try check(frontline_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, unmanaged.toOpaque()))
        try check(frontline_curl_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION) { pointer, size, count, userdata in
            let sink = Unmanaged<TransferSink>.fromOpaque(userdata!).takeUnretainedValue()
            if let pointer {
                sink.headerLines.append(String(decoding: UnsafeRawBufferPointer(start: pointer, count: size * count), as: UTF8.self))
            }
            return size * count
        })
        if let upload, asUpload {
            try options.set(CURLOPT_UPLOAD, 1)
            try check(frontline_curl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(upload.count)))
            try check(frontline_curl_setopt_pointer(handle, CURLOPT_READDATA, unmanaged.toOpaque()))
            try check(frontline_curl_setopt_data_callback(handle, CURLOPT_READFUNCTION) { pointer, size, count, userdata in
                let sink = Unmanaged<TransferSink>.fromOpaque(userdata!).takeUnretainedValue()
                let length = min(size * count, sink.upload.count - sink.uploadOffset)
                if let pointer, length > 0 {
                    sink.upload.withUnsafeBytes { bytes in
                        UnsafeMutableRawPointer(pointer).copyMemory(from: bytes.baseAddress! + sink.uploadOffset, byteCount: length)
                    }
                }
                sink.uploadOffset += length
                return length
            })
        } else if upload != nil {
            try check(frontline_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(sink.upload.count)))
            try check(frontline_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, sink.postFields))
        }
        try configure(options)
        let code = curl_easy_perform(handle)
        var responseCode = 0
        _ = frontline_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &responseCode)
        if sink.overflowed {
            throw CurlError(
                code: Int(CURLE_FILESIZE_EXCEEDED.rawValue), message: "the answer is larger than \(sink.maxBodyBytes) bytes"
            )
        }
        guard code == CURLE_OK else {
            throw CurlError(
                code: Int(code.rawValue), message: String(cString: curl_easy_strerror(code)),
                responseCode: responseCode == 0 ? nil : responseCode
            )
        }
        return Transfer(body: sink.body, headerLines: sink.headerLines, responseCode: responseCode)
    }
}

func check(_ code: CURLcode) throws(CurlError) {
    guard code != CURLE_OK else { return }
    throw CurlError(code: Int(code.rawValue), message: String(cString: curl_easy_strerror(code)))
}

final class TransferSink {
    var body: [UInt8] = []
    var headerLines: [String] = []
    let upload: [UInt8]
    var uploadOffset = 0
    var maxBodyBytes = Int.max
    var overflowed = false
    /// A stable copy of the body for CURLOPT_POSTFIELDS, alive until the transfer ends.
    let postFields: UnsafeMutableRawPointer

    init(upload: [UInt8]) {
        self.upload = upload
        postFields = UnsafeMutableRawPointer.allocate(byteCount: max(1, upload.count), alignment: 1)
        upload.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress { postFields.copyMemory(from: base, byteCount: upload.count) }
        }
    }

    deinit { postFields.deallocate() }
}
