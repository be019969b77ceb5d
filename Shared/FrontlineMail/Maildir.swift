import Foundation

/// A Maildir an MTA delivers into: messages wait in `new/` and move to `cur/` once ingested.
public struct Maildir: Sendable {
    public let root: URL

    public init(path: String) {
        root = URL(fileURLWithPath: path, isDirectory: true)
    }

    public var key: String { "maildir:\(root.path)" }

    /// Creates new/, cur/ and tmp/ when missing.
    public func prepare() throws {
        for folder in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
    }

    /// The files waiting in new/, oldest name first (Maildir names start with a timestamp).
    public func waiting() throws -> [URL] {
        let folder = root.appendingPathComponent("new")
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Moves a message to cur/ with the Seen flag, the Maildir way of saying "taken".
    public func markTaken(_ file: URL) throws {
        let target = root.appendingPathComponent("cur").appendingPathComponent(file.lastPathComponent + ":2,S")
        try FileManager.default.moveItem(at: file, to: target)
    }

    /// Delivers a message into new/ the way an MTA does (write in tmp/, then rename).
    public func deliver(_ message: [UInt8]) throws {
        let name = "\(Int(Date().timeIntervalSince1970)).\(UUID().uuidString).frontline"
        let temporary = root.appendingPathComponent("tmp").appendingPathComponent(name)
        try Data(message).write(to: temporary)
        try FileManager.default.moveItem(at: temporary, to: root.appendingPathComponent("new").appendingPathComponent(name))
    }
}
