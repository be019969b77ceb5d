import Foundation
import FrontlineDomain
import Mustache

/// A rendered email body: what the composer turns into MIME.
public struct RenderedContent: Sendable, Equatable {
    public var subject: String
    public var text: String
    public var html: String
}

public struct TemplateError: Error, CustomStringConvertible {
    public var description: String
}

/// The notification templates (Mustache): `<kind>.subject`, `<kind>.text` and `<kind>.html`
/// for every kind, plus the customer wording per language. A deployment's folder
/// (`FRONTLINE_TEMPLATE_DIR`) may hold `<name>.mustache` files that replace built-in ones and
/// `phrases.<language>.json` files that replace or add wording.
public struct TemplateLibrary: Sendable {
    let library: MustacheLibrary
    /// Compiled wording per language; English fills any key a language lacks.
    let phrases: [String: [String: MustacheTemplate]]

    public var languages: Set<String> { Set(phrases.keys) }

    public init(overrides directory: String? = nil) throws {
        var templates = BuiltinTemplates.all
        var wording = Phrases.builtin
        if let directory {
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
                throw TemplateError(description: "template folder \(directory) cannot be read")
            }
            for file in files.sorted() {
                let path = directory + "/" + file
                if file.hasSuffix(".mustache") {
                    templates[String(file.dropLast(".mustache".count))] = try String(contentsOfFile: path, encoding: .utf8)
                } else if file.hasPrefix("phrases."), file.hasSuffix(".json") {
                    let language = String(file.dropFirst("phrases.".count).dropLast(".json".count))
                    guard let data = FileManager.default.contents(atPath: path),
                        let table = try? JSONDecoder().decode([String: String].self, from: data)
                    else { throw TemplateError(description: "\(file) is not a JSON object of strings") }
                    wording[language, default: [:]].merge(table) { $1 }
                }
            }
        }
        var library = MustacheLibrary()
        for (name, text) in templates {
            do {
                try library.register(text, named: name)
            } catch {
                throw TemplateError(description: "template \(name) does not parse: \(error)")
            }
        }
        for kind in NotificationKind.allCases {
            for part in ["subject", "text", "html"] where library.getTemplate(named: "\(kind.rawValue).\(part)") == nil {
                throw TemplateError(description: "template \(kind.rawValue).\(part) is missing")
            }
        }
        var compiled: [String: [String: MustacheTemplate]] = [:]
        for (language, table) in wording {
            let complete = (wording[Phrases.fallbackLanguage] ?? [:]).merging(table) { $1 }
            compiled[language] = try complete.mapValues { text in
                do {
                    return try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text)
                } catch {
                    throw TemplateError(description: "a \(language) phrase does not parse: \(text)")
                }
            }
        }
        self.library = library
        phrases = compiled
    }

    /// Renders the three parts of `kind` for `values`; customer wording in `language` is
    /// available to the templates as `t.<key>`.
    public func render(_ kind: NotificationKind, language: String, values: [String: Any]) -> RenderedContent {
        var context = values
        let table = phrases[language] ?? phrases[Phrases.fallbackLanguage] ?? [:]
        context["t"] = Wording(table: table, values: values)
        func part(_ name: String) -> String {
            library.render(context, withTemplate: "\(kind.rawValue).\(name)") ?? ""
        }
        let subject = part("subject").split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
        return RenderedContent(subject: subject, text: Self.tidy(part("text")), html: part("html"))
    }

    /// The customer wording as the templates see it (`t.<key>`): a phrase is rendered when a
    /// template asks for it, not every phrase of the language for every email.
    struct Wording: MustacheParent {
        let table: [String: MustacheTemplate]
        let values: [String: Any]

        func child(named name: String) -> Any? { table[name]?.render(values) }
    }

    /// No runs of blank lines where optional sections were left out.
    static func tidy(_ text: String) -> String {
        var lines: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let blank = line.trimmingCharacters(in: .whitespaces).isEmpty
            if blank, lines.last.map({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) ?? true { continue }
            lines.append(blank ? "" : line)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n") + "\n"
    }
}
