import Foundation
import Testing

/// The deployment files set only variables the services read: a typo there would be a setting
/// that silently does nothing.
@Suite struct DeploymentFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every string literal of the form "NAME" in the services' and shared modules' sources, and
    /// every variable the local, container and observability scripts expand.
    static func namesReadByTheCode() throws -> Set<String> {
        var names: Set<String> = []
        for folder in ["deploy/local", "deploy/container", "deploy/observability"] {
            let scripts = root.appendingPathComponent(folder)
            for file in try FileManager.default.contentsOfDirectory(atPath: scripts.path) where file.hasSuffix(".sh") {
                let text = try String(contentsOf: scripts.appendingPathComponent(file), encoding: .utf8)
                for match in text.matches(of: /\$\{?(FRONTLINE_[A-Z0-9_]+)/) { names.insert(String(match.1)) }
            }
        }
        for folder in ["Services", "Shared"] {
            let enumerator = FileManager.default.enumerator(atPath: root.appendingPathComponent(folder).path)
            while let file = enumerator?.nextObject() as? String {
                guard file.hasSuffix(".swift") else { continue }
                let text = try String(contentsOf: root.appendingPathComponent(folder).appendingPathComponent(file), encoding: .utf8)
                for match in text.matches(of: /"([A-Z][A-Z0-9_]+)"/) { names.insert(String(match.1)) }
                // A secret read as `environment.secret("X")` (or through the connectors' wrapper) is X or X_FILE.
                for match in text.matches(of: /secret\((?:environment, )?"([A-Z][A-Z0-9_]+)"/) { names.insert(String(match.1) + "_FILE") }
            }
        }
        return names
    }

    /// Variables a file sets: YAML keys that look like ours (FRONTLINE_*, provider keys and URLs).
    static func variablesSet(in path: String) throws -> Set<String> {
        let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
        var names: Set<String> = []
        for match in text.matches(of: /(?m)^\s*((?:FRONTLINE|OPENAI|ANTHROPIC|GEMINI|AZURE_OPENAI|OLLAMA)_[A-Z0-9_]+)\s*:/) {
            names.insert(String(match.1))
        }
        return names
    }

    static var deploymentFiles: [String] {
        let k8s = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("deploy/k8s").path)) ?? []
        return ["docker-compose.yml"] + k8s.filter { $0.hasSuffix(".yaml") }.sorted().map { "deploy/k8s/" + $0 }
    }

    @Test func everyVariableTheDeploymentFilesSetIsRead() throws {
        let read = try Self.namesReadByTheCode()
        var checked = 0
        for file in Self.deploymentFiles {
            let set = try Self.variablesSet(in: file)
            checked += set.count
            let unknown = set.subtracting(read).sorted()
            #expect(unknown.isEmpty, "\(file) sets \(unknown.joined(separator: ", ")), which no service reads")
        }
        #expect(checked > 20, "the scan found the variables")
    }

    @Test func everyVariableTheReadmeDocumentsIsRead() throws {
        let read = try Self.namesReadByTheCode()
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let documented = Set(readme.matches(of: /`(FRONTLINE_[A-Z0-9_]+)`/).map { String($0.1) })
        #expect(documented.count > 20)
        #expect(documented.subtracting(read).sorted() == [])
    }
}
