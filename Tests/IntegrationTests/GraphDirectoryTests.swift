import Foundation
import FrontlineCore
import FrontlineDirectory
import FrontlineDomain
import FrontlineTesting
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization
import Testing

extension Integration {
    /// The Microsoft Graph adapter against a local stand-in speaking Graph's wire format: the
    /// v2.0 token endpoint (client credentials), users filtered by mail, the manager, memberOf
    /// and registeredDevices with OData paging, a 429 with Retry-After and an expired token.
    @Suite struct GraphDirectoryLookup {
        final class GraphStandIn: Sendable {
            struct Seen: Sendable {
                var path: String
                var filter: String?
                var authorization: String?
                var status: Int
            }

            let seen = Mutex<[Seen]>([])
            let tokenForms = Mutex<[String]>([])
            let issued = Mutex<Int>(0)
            /// Tokens Graph refuses from now on, as it does an expired one.
            let expired = Mutex<Set<String>>([])
            /// The next user search is throttled once.
            let throttleNext = Mutex<Bool>(true)
            let boundPort = Mutex<Int>(0)
            var port: Int { boundPort.withLock { $0 } }
            static let alice = "6f1c2a9e-0b7d-4c55-9a51-2f3e4d5c6b7a"

            func json(_ status: HTTPResponse.Status, _ text: String, headers: HTTPFields = [:]) -> Response {
                var fields = headers
                fields[.contentType] = "application/json"
                return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
            }

            /// Graph's answer to a bearer it does not know or that expired; nil when it is good.
            func refusal(_ request: Request) -> Response? {
                let bearer = request.headers[.authorization] ?? ""
                let issuedCount = issued.withLock { $0 }
                let known = (1...max(1, issuedCount)).contains { bearer == "Bearer graph-token-\($0)" } && issuedCount > 0
                let isExpired = expired.withLock { $0.contains(String(bearer.dropFirst("Bearer ".count))) }
                guard !known || isExpired else { return nil }
                return json(
                    .unauthorized,
                    #"{"error":{"code":"InvalidAuthenticationToken","message":"Lifetime validation failed, the token is expired.","innerError":{}}}"#,
                    headers: [.wwwAuthenticate: #"Bearer realm="", error="invalid_token""#]
                )
            }

            func record(_ request: Request, status: Int) {
                seen.withLock {
                    $0.append(Seen(path: request.uri.path, filter: request.uri.queryParameters.get("$filter"), authorization: request.headers[.authorization], status: status))
                }
            }

            func graph(_ request: Request, _ answer: () -> Response) -> Response {
                if let refused = refusal(request) {
                    record(request, status: 401)
                    return refused
                }
                let response = answer()
                record(request, status: response.status.code)
                return response
            }

            func run() async throws {
                let router = Router()
                router.post("tenant/oauth2/v2.0/token") { request, _ -> Response in
                    let body = try await request.body.collect(upTo: 65536)
                    self.tokenForms.withLock { $0.append(String(buffer: body)) }
                    let number = self.issued.withLock { $0 += 1; return $0 }
                    return self.json(.ok, #"{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"graph-token-\#(number)"}"#)
                }
                router.get("v1.0/users") { request, _ -> Response in
                    self.graph(request) {
                        if self.throttleNext.withLock({ let now = $0; $0 = false; return now }) {
                            return self.json(
                                .tooManyRequests, #"{"error":{"code":"TooManyRequests","message":"Too many requests."}}"#, headers: [.retryAfter: "1"]
                            )
                        }
                        let context = #""@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users(id,displayName)""#
                        guard request.uri.queryParameters.get("$filter") == "mail eq 'alice.adams@corp.test'" else {
                            return self.json(.ok, "{\(context),\"value\":[]}")
                        }
                        return self.json(
                            .ok,
                            """
                            {\(context),"value":[{"id":"\(Self.alice)","displayName":"Alice Adams","department":"Finance",
                            "jobTitle":"Accountant","businessPhones":["+44 20 7946 0001"],"mobilePhone":null}]}
                            """
                        )
                    }
                }
                router.get("v1.0/users/:id/manager") { request, _ -> Response in
                    self.graph(request) {
                        self.json(.ok, ##"{"@odata.type":"#microsoft.graph.user","id":"0a0b","displayName":"Bob Boss","mail":"bob.boss@corp.test"}"##)
                    }
                }
                router.get("v1.0/users/:id/memberOf") { request, _ -> Response in
                    self.graph(request) {
                        self.json(.ok, ##"{"value":[{"@odata.type":"#microsoft.graph.group","id":"9f9e","displayName":"VIP"}]}"##)
                    }
                }
                router.get("v1.0/users/:id/registeredDevices") { request, _ -> Response in
                    self.graph(request) {
                        if request.uri.queryParameters.get("$skiptoken") == nil {
                            let next = "http://127.0.0.1:\(self.port)/v1.0/users/\(Self.alice)/registeredDevices?$skiptoken=RFNwdAIAAQAAAA"
                            return self.json(
                                .ok,
                                """
                                {"@odata.nextLink":"\(next)","value":[{"@odata.type":"#microsoft.graph.device","displayName":"FIN-LT-042",
                                "operatingSystem":"Windows","isCompliant":true,"approximateLastSignInDateTime":"2026-11-30T08:15:00Z"}]}
                                """
                            )
                        }
                        return self.json(
                            .ok,
                            ##"{"value":[{"@odata.type":"#microsoft.graph.device","displayName":"Alice's iPhone","operatingSystem":"iOS","isCompliant":false,"approximateLastSignInDateTime":null}]}"##
                        )
                    }
                }
                var logger = Logger(label: "graph-stand-in")
                logger.logLevel = .critical
                let app = Application(
                    router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                    onServerRunning: { channel in self.boundPort.withLock { $0 = channel.localAddress?.port ?? 0 } }, logger: logger
                )
                try await app.runService()
            }
        }

        @Test("a user by mail with manager, groups and devices over two pages; a 429 waited out; an expired token replaced once; the token cached")
        func graphLookup() async throws {
            let standIn = GraphStandIn()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await standIn.run() }
                #expect(await eventually(timeout: .seconds(10)) { standIn.port != 0 }, "the stand-in did not start")
                let base = "http://127.0.0.1:\(standIn.port)"
                let directory = GraphDirectory(
                    settings: GraphSettings(
                        tokenURL: "\(base)/tenant/oauth2/v2.0/token", clientID: "frontline-app", clientSecret: "app-secret-value",
                        baseURL: "\(base)/v1.0"
                    )
                )
                defer { directory.shutdown() }

                let alice = try #require(try await directory.entry(forEmail: "alice.adams@corp.test"))
                #expect(alice.displayName == "Alice Adams")
                #expect(alice.department == "Finance")
                #expect(alice.title == "Accountant")
                #expect(alice.phone == "+44 20 7946 0001")
                #expect(alice.managerName == "Bob Boss")
                #expect(alice.managerEmail == "bob.boss@corp.test")
                #expect(alice.groups == ["VIP"])
                #expect(alice.devices.map(\.name) == ["FIN-LT-042", "Alice's iPhone"], "both pages of devices")
                #expect(alice.devices.map(\.isCompliant) == [true, false])
                #expect(alice.devices.first?.operatingSystem == "Windows")
                #expect(alice.devices.first?.lastSignIn == Timestamp.parse("2026-11-30T08:15:00Z"))

                let userSearches = standIn.seen.withLock { $0.filter { $0.path == "/v1.0/users" } }
                #expect(userSearches.map(\.status) == [429, 200], "the throttled search was asked again")
                #expect(userSearches.allSatisfy { $0.filter == "mail eq 'alice.adams@corp.test'" })
                #expect(standIn.seen.withLock { $0.allSatisfy { $0.authorization == "Bearer graph-token-1" } })
                let forms = standIn.tokenForms.withLock { $0 }
                #expect(forms.count == 1, "one token for the whole lookup")
                #expect(forms.first?.contains("grant_type=client_credentials") == true)
                #expect(forms.first?.contains("client_id=frontline-app") == true)
                #expect(forms.first?.contains("scope=https%3A%2F%2Fgraph.microsoft.com%2F.default") == true)

                // The token expires early (revoked, or a clock ahead of ours): one new token, then the answer.
                standIn.expired.withLock { _ = $0.insert("graph-token-1") }
                let before = standIn.seen.withLock { $0.count }
                #expect(try await directory.entry(forEmail: "o'brien@corp.test") == nil, "not in the directory")
                let retried = standIn.seen.withLock { Array($0[before...]) }
                #expect(retried.map(\.status) == [401, 200])
                #expect(retried.last?.authorization == "Bearer graph-token-2")
                #expect(retried.last?.filter == "mail eq 'o''brien@corp.test'", "the quote is doubled, not closing the literal")
                #expect(standIn.tokenForms.withLock { $0.count } == 2)

                // The new token is kept: another lookup asks for none.
                _ = try await directory.entry(forEmail: "alice.adams@corp.test")
                #expect(standIn.tokenForms.withLock { $0.count } == 2)
                group.cancelAll()
            }
        }
    }
}
