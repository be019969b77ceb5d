import CCurl

extension CurlError {
    /// The server refused the login, or no credentials could be had for it (an OAuth token).
    public var isAuthenticationFailure: Bool {
        isLoginDenied || code == Int(CURLE_AUTH_ERROR.rawValue)
    }

    /// The TLS handshake did not complete: the server is there but not reachable for us.
    public var isTLSFailure: Bool {
        code == Int(CURLE_SSL_CONNECT_ERROR.rawValue)
    }
}
