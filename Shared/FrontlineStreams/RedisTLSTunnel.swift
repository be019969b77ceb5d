import FrontlineCore
import Glibc
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// TLS to Redis for hiredis 0.14 (Debian 12's), which speaks only plain TCP. The TLS connection
/// is made here with swift-nio-ssl and bridged to one end of a Unix socket pair; hiredis gets
/// the other end as its connection (`redisConnectFd`). Nothing listens, so no other process can
/// reach the plain side, and no sidecar is needed in a pod.
enum RedisTLSTunnel {
    /// Connects, completes the handshake (certificate verified) and returns the descriptor for
    /// hiredis, which owns it from then on: closing it closes the TLS connection too.
    static func open(url: RedisURL, tls: RedisURL.TLS, timeout: Duration) throws(RedisError) -> CInt {
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration(tls))
        } catch {
            throw RedisError(code: .certificateRejected, message: "\(url): the TLS files in the URL cannot be used: \(error)")
        }
        // Host names are checked against the certificate and sent as SNI; an IP address is
        // checked against the certificate's IP entries (SNI cannot carry one).
        let serverName = (try? SocketAddress(ipAddress: url.host, port: url.port)) == nil ? url.host : nil
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let handshake = loop.makePromise(of: Void.self)
        let remote: Channel
        do {
            remote = try ClientBootstrap(group: loop)
                .connectTimeout(.milliseconds(timeout.milliseconds))
                .channelOption(.socketOption(.so_keepalive), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName))
                        try channel.pipeline.syncOperations.addHandler(HandshakeWatch(promise: handshake), name: HandshakeWatch.name)
                    }
                }
                .connect(host: url.host, port: url.port).wait()
        } catch {
            handshake.fail(error)
            throw RedisError(code: .connectionFailed, message: "\(url): \(error)")
        }
        let deadline = loop.scheduleTask(in: .milliseconds(timeout.milliseconds)) {
            handshake.fail(RedisError(code: .connectionFailed, message: "\(url): no TLS handshake within \(timeout)"))
        }
        do {
            defer { deadline.cancel() }
            try handshake.futureResult.wait()
        } catch {
            remote.close(promise: nil)
            throw Self.handshakeError(error, url: url)
        }

        var ends: [CInt] = [-1, -1]
        guard socketpair(AF_UNIX, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            remote.close(promise: nil)
            throw RedisError(code: .connectionFailed, message: "\(url): socketpair failed (errno \(errno))")
        }
        do {
            // On the TLS connection's own event loop, so the two halves of the bridge never race.
            let local = try ClientBootstrap(group: remote.eventLoop).withConnectedSocket(ends[1]).wait()
            try remote.eventLoop.submit {
                let inward = Bridge(), outward = Bridge()
                inward.partner = outward
                outward.partner = inward
                remote.pipeline.removeHandler(name: HandshakeWatch.name, promise: nil)
                try remote.pipeline.syncOperations.addHandler(outward)
                try local.pipeline.syncOperations.addHandler(inward)
            }.wait()
        } catch {
            remote.close(promise: nil)
            close(ends[0])
            throw RedisError(code: .connectionFailed, message: "\(url): could not bridge the TLS connection: \(error)")
        }
        return ends[0]
    }

    static func configuration(_ tls: RedisURL.TLS) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .fullVerification
        configuration.minimumTLSVersion = .tlsv12
        if let file = tls.rootCertificateFile {
            configuration.trustRoots = .file(file)
        }
        if let certificate = tls.clientCertificateFile, let key = tls.clientKeyFile {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
            configuration.privateKey = .file(key)
        }
        return configuration
    }

    /// A refused certificate is a setting to fix, not an outage to wait out: it gets its own code.
    static func handshakeError(_ error: any Error, url: RedisURL) -> RedisError {
        if let error = error as? RedisError { return error }
        let text = String(describing: error)
        if let error = error as? NIOSSLExtraError, error == .failedToValidateHostname {
            // swift-nio-ssl takes an IP address entry for the address connected to as a match
            // too (RFC 6125), so a certificate for 127.0.0.1 serves "localhost" as well.
            return RedisError(code: .certificateRejected, message: "\(url): the server's certificate is not for host \(url.host)")
        }
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return RedisError(
                code: .certificateRejected,
                message: "\(url): the server's certificate was refused (certificate verify failed: not signed by the CA in cacert or the system's, or expired)"
            )
        }
        return RedisError(code: .connectionFailed, message: "\(url): TLS handshake failed: \(text)")
    }

    /// Reports the end of the handshake (or why it did not end) to the thread that waits for it.
    final class HandshakeWatch: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        static let name = "redis-tls-handshake"
        // Completing it twice (a timeout, then a late answer) is harmless: the first result stays.
        private let promise: EventLoopPromise<Void>

        init(promise: EventLoopPromise<Void>) { self.promise = promise }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case TLSUserEvent.handshakeCompleted = event { promise.succeed() }
            context.fireUserInboundEventTriggered(event)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            promise.fail(error)
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            promise.fail(RedisError(code: .connectionFailed, message: "closed during the TLS handshake"))
            context.fireChannelInactive()
        }
    }

    /// One side of the bridge: what it reads is written to its partner. It reads only while
    /// the partner can take more, so a slow side holds the other back instead of buffering
    /// without bound; when one side closes, so does the other.
    final class Bridge: ChannelDuplexHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        var partner: Bridge?
        private var context: ChannelHandlerContext?
        private var readHeld = false

        func handlerAdded(context: ChannelHandlerContext) { self.context = context }

        func handlerRemoved(context: ChannelHandlerContext) {
            self.context = nil
            partner = nil
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            partner?.context?.write(wrapOutboundOut(unwrapInboundIn(data)), promise: nil)
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            partner?.context?.flush()
        }

        func channelInactive(context: ChannelHandlerContext) {
            partner?.context?.close(promise: nil)
            partner = nil
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }

        func read(context: ChannelHandlerContext) {
            if partner?.context?.channel.isWritable ?? true {
                context.read()
            } else {
                readHeld = true
            }
        }

        func channelWritabilityChanged(context: ChannelHandlerContext) {
            if context.channel.isWritable { partner?.resumeReading() }
            context.fireChannelWritabilityChanged()
        }

        private func resumeReading() {
            guard readHeld, let context else { return }
            readHeld = false
            context.read()
        }
    }
}
