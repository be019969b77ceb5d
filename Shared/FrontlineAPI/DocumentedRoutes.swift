import Foundation
import Hummingbird

/// The paths and methods the OpenAPI document declares. A request to a declared path with a
/// method it does not declare is answered 405 with `Allow`; a path it does not declare, 404;
/// both as problems, before any handler runs. Reading them from the document keeps the
/// document the source of truth: a route it does not name is not reachable.
struct DocumentedRoutes: Sendable {
    struct Route: Sendable {
        var segments: [String]
        var methods: Set<String>
    }

    let basePath: String
    let routes: [Route]

    /// Reads the `paths:` block: a path at two spaces of indent, its methods at four.
    init(document: String, basePath: String) {
        self.basePath = basePath
        var routes: [Route] = []
        var inPaths = false
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]
        for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty && !line.hasPrefix("#") {
                inPaths = line.hasPrefix("paths:")
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                let path = line.dropFirst(2).dropLast()
                routes.append(Route(segments: path.split(separator: "/").map(String.init), methods: []))
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), !routes.isEmpty {
                let name = String(line.dropFirst(4).dropLast())
                if methods.contains(name) { routes[routes.count - 1].methods.insert(name.uppercased()) }
                // The router answers HEAD for every GET (`autoGenerateHeadEndpoints`).
                if name == "get" { routes[routes.count - 1].methods.insert("HEAD") }
            }
        }
        self.routes = routes
    }

    /// Whether `path` is under the API's base path, where only the document's routes are served.
    func governs(_ path: String) -> Bool {
        path == basePath || path.hasPrefix(basePath + "/")
    }

    /// The methods declared for `path`, nil when the document declares no such path.
    func methods(for path: String) -> Set<String>? {
        guard path.hasPrefix(basePath) else { return nil }
        let segments = path.dropFirst(basePath.count).split(separator: "/").map(String.init)
        var found: Set<String>?
        for route in routes where route.segments.count == segments.count {
            let matches = zip(route.segments, segments).allSatisfy { pattern, segment in
                (pattern.hasPrefix("{") && pattern.hasSuffix("}")) || pattern == segment
            }
            if matches { found = (found ?? []).union(route.methods) }
        }
        return found
    }
}

/// The API's router behind the document's guard (`DocumentedRoutes`).
public struct APIRouter: HTTPResponderBuilder {
    let inner: Router<BasicRequestContext>
    let documented: DocumentedRoutes

    public func buildResponder() -> Responder {
        Responder(inner: inner.buildResponder(), documented: documented)
    }

    public struct Responder: HTTPResponder {
        public typealias Context = BasicRequestContext
        let inner: RouterResponder<BasicRequestContext>
        let documented: DocumentedRoutes

        /// GET, HEAD, POST, PUT, PATCH, DELETE: the usual order.
        static func allow(_ methods: Set<String>) -> String {
            let order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
            return methods.sorted { (order.firstIndex(of: $0) ?? 99, $0) < (order.firstIndex(of: $1) ?? 99, $1) }.joined(separator: ", ")
        }

        public func respond(to request: Request, context: Context) async throws -> Response {
            // Only the API is the document's: other doors on this router (the console) pass by.
            guard documented.governs(request.uri.path) else { return try await inner.respond(to: request, context: context) }
            do {
                guard let methods = documented.methods(for: request.uri.path) else {
                    throw APIError(.notFound, code: "not_found", message: "there is no such endpoint; see /api/v1/openapi.yaml")
                }
                guard methods.contains(request.method.rawValue) else {
                    var error = APIError(
                        .methodNotAllowed, code: "method_not_allowed",
                        message: "\(request.method.rawValue) is not allowed here; allowed: \(Self.allow(methods))"
                    )
                    error.headers[.allow] = Self.allow(methods)
                    throw error
                }
                return try await inner.respond(to: request, context: context)
            } catch let error as APIError {
                return try error.response(from: request, context: context)
            }
        }
    }
}
