import Foundation
import FrontlineDomain
import Hummingbird

/// Every error the API answers with, as an RFC 9457 problem (`application/problem+json`):
/// `type` (`urn:frontline:problem:<code>`), `title`, `status`, `detail`, and our extensions
/// `code` and, for a refused or invalid request, `problems` (one line per reason).
/// Details are ours: never a token, SQL, a stack trace or a secret.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    /// For a refused action or an invalid body: one line per reason.
    public var problems: [String]?
    /// Extra response headers (`Retry-After` of a 429).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, message: String, problems: [String]? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.problems = problems
    }

    public static let mediaType = "application/problem+json"

    struct Problem: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var code: String
        var problems: [String]?
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let problem = Problem(
            type: "urn:frontline:problem:\(code)", title: status.reasonPhrase, status: status.code, detail: message, code: code,
            problems: problems
        )
        var response = try APIJSON.response(problem, status: status, contentType: Self.mediaType)
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        for field in headers { response.headers.append(field) }
        return response
    }

    static let unauthorized = APIError(
        .unauthorized, code: "unauthorized", message: "send a valid API token as Authorization: Bearer <token> (frontline token create)"
    )
    static func forbidden(_ role: APIRole, _ permission: APIPermission) -> APIError {
        APIError(.forbidden, code: "forbidden", message: "a token of role \(role.rawValue) may not do this (it needs \(permission.rawValue))")
    }
    static func noSuchTicket(_ id: Int64) -> APIError { APIError(.notFound, code: "not_found", message: "there is no ticket \(id)") }
    static func badRequest(_ message: String, problems: [String]? = nil) -> APIError {
        APIError(.badRequest, code: "bad_request", message: message, problems: problems)
    }
    static func tooManyRequests(retryAfterSeconds: Int) -> APIError {
        var error = APIError(
            .tooManyRequests, code: "rate_limited", message: "this token sent too many requests; try again in \(retryAfterSeconds) s"
        )
        error.headers[.retryAfter] = String(retryAfterSeconds)
        return error
    }
}

/// JSON as the API writes it: snake_case keys, RFC 3339 dates, UTF-8.
enum APIJSON {
    /// A request's JSON body as `T` (keys snake_case), at most `limit` bytes: 413 when larger,
    /// 400 when it is not that object.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw APIError(.contentTooLarge, code: "too_large", message: "the request body is larger than \(limit) bytes")
        }
        do {
            return try decoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError.badRequest("the request body is not the JSON object this endpoint takes (see /api/v1/openapi.yaml)")
        }
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Date.ISO8601FormatStyle()))
        }
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, contentType: String = "application/json") throws -> Response {
        Response(
            status: status, headers: [.contentType: "\(contentType); charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value)))
        )
    }
}
