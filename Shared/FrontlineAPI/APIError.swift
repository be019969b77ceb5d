import Foundation
import Hummingbird

/// Every error the API answers with, as `{"error": {"code": ..., "message": ..., "problems": [...]}}`.
/// Messages are ours: never a token, SQL, a stack trace or a secret.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    /// For a refused action: one line per reason.
    public var problems: [String]?

    public init(_ status: HTTPResponse.Status, code: String, message: String, problems: [String]? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.problems = problems
    }

    struct Body: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var problems: [String]?
        }
        var error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try APIJSON.response(Body(error: .init(code: code, message: message, problems: problems)), status: status)
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }

    static let unauthorized = APIError(
        .unauthorized, code: "unauthorized", message: "send a valid API token as Authorization: Bearer <token> (frontline token create)"
    )
    static func noSuchTicket(_ id: Int64) -> APIError { APIError(.notFound, code: "not_found", message: "there is no ticket \(id)") }
    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, code: "bad_request", message: message) }
}

/// JSON as the API writes it: snake_case keys, RFC 3339 dates, UTF-8.
enum APIJSON {
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

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value)))
        )
    }
}
