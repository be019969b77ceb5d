import Foundation
import FrontlineTesting
import FrontlineCurl
import FrontlineRuntime
import Testing

extension Integration {
    @Suite struct HTTPClient {
        @Test("libcurl GETs a real server's answer with status, headers and body; failures are typed")
        func getsAndFails() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let process = try ChildProcess("assigner", environment: scratch.environment())
            defer { Task { await process.stop() } }
            let port = try await process.httpPort()
            let client = CurlHTTPClient(threads: 1)
            defer { client.shutdown() }

            let metrics = try await client.perform(HTTPRequest(url: "http://127.0.0.1:\(port)/metrics"))
            #expect(metrics.status == 200)
            #expect(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            let missing = try await client.perform(HTTPRequest(method: "POST", url: "http://127.0.0.1:\(port)/nowhere", body: Array("{}".utf8)))
            #expect(missing.status == 404)

            let refused = await #expect(throws: CurlError.self) {
                try await client.perform(HTTPRequest(url: "http://user:pw-in-url@127.0.0.1:1/", timeout: .seconds(2)))
            }
            #expect(refused?.isConnectionFailure == true)
            #expect(refused.map { "\($0)" }?.contains("pw-in-url") == false)
        }
    }
}
