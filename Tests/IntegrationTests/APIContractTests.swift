import Foundation
import FrontlineAPI
import FrontlineCurl
import FrontlineTesting
import Testing

extension Integration {
    /// The running `api` process against its own OpenAPI document, with schemathesis (PyPI,
    /// installed by deploy/local/test.sh): generated requests to every operation, valid and
    /// not, must get no 5xx and only responses the document declares (status, content type,
    /// headers, body schema), and an operation must refuse a request without the token.
    @Suite struct APIContract {
        /// deploy/local/test.sh installs it here (or names it in FRONTLINE_SCHEMATHESIS).
        static var schemathesis: URL {
            if let path = ProcessInfo.processInfo.environment["FRONTLINE_SCHEMATHESIS"] { return URL(fileURLWithPath: path) }
            return TestServers.repositoryRoot.appendingPathComponent(".build/tools-venv/bin/schemathesis")
        }

        @Test("schemathesis finds no 5xx and no response the OpenAPI document does not declare, on any operation")
        func conformsToItsDocument() async throws {
            let tool = Self.schemathesis
            try #require(
                FileManager.default.isExecutableFile(atPath: tool.path),
                "schemathesis is not installed at \(tool.path): run deploy/local/test.sh (it installs it) or set FRONTLINE_SCHEMATHESIS"
            )
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            let token = try await API.token(scratch, "contract", as: API.alice, role: .admin)
            // The rate limit is the one thing a generator is bound to trip; it is tested on its own.
            let api = try ChildProcess("api", environment: scratch.environment(["FRONTLINE_API_PORT": "0", "FRONTLINE_API_RATE_LIMIT": "0", "FRONTLINE_CHAT_DOOR": "true"]))
            defer { Task { await api.stop() } }
            let port = try await api.apiPort()
            let base = "http://127.0.0.1:\(port)/api/v1"

            // Tickets to act on, so that operations on /tickets/{id} reach their logic rather than 404.
            var ticket = 0
            for number in 1...3 {
                let created = try await postJSON(
                    "\(base)/tickets", token: token,
                    body: #"{"requester": {"email": "user\#(number)@example.com"}, "subject": "Printer \#(number) jams", "body": "It jams on every page."}"#
                )
                #expect(created.status == 201, "\(created.text)")
                ticket = (try JSONSerialization.jsonObject(with: Data(created.text.utf8)) as? [String: Any])?["ticket"] as? Int ?? ticket
            }
            // The chat door answers 503 until its assistant has trained on the catalog; the run starts after.
            let ready = await eventually(timeout: .seconds(120)) { api.stdout.contains("\"msg\":\"chat assistant ready for the stored catalog\"") }
            #expect(ready, "\(api.stdout.suffix(2000))")
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("schemathesis-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            try "[parameters]\n\"path.id\" = \(ticket)\n".write(to: folder.appendingPathComponent("schemathesis.toml"), atomically: true, encoding: .utf8)

            // positive_data_acceptance is left out: it expects every schema-valid value to be
            // accepted, and an opaque cursor or an unknown technician's address cannot be.
            let run = try ChildProcess(
                executable: tool,
                arguments: [
                    "--config-file", folder.appendingPathComponent("schemathesis.toml").path, "run", "\(base)/openapi.yaml", "--url", base,
                    "--header", "Authorization: Bearer \(token)", "--checks", "all", "--exclude-checks", "positive_data_acceptance",
                    "--max-examples", "25", "--seed", "16", "--no-color",
                ],
                environment: ProcessInfo.processInfo.environment.merging(["SCHEMATHESIS_HOOKS": "", "NO_COLOR": "1"]) { $1 }
            )
            let status = await run.waitForExit(timeout: .seconds(900))
            let report = run.stdout.replacingOccurrences(of: token, with: "flt_…")
            #expect(status == 0, "schemathesis found problems:\n\(report.suffix(6000))\n\(run.stderr.suffix(2000))")
            #expect(report.contains("passed"), "\(report.suffix(2000))")
            #expect(await api.waitForExit(timeout: .zero) == nil, "the api process died: \(api.stderr.suffix(2000))")
        }

        func postJSON(_ url: String, token: String, body: String) async throws -> (status: Int, text: String) {
            let client = CurlHTTPClient(threads: 1)
            defer { client.shutdown() }
            let response = try await client.perform(
                FrontlineCurl.HTTPRequest(
                    method: "POST", url: url, headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                    body: Array(body.utf8)
                )
            )
            return (response.status, response.text)
        }
    }
}
