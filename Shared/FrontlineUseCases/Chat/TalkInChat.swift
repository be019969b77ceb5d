import Foundation
import FrontlineAI
import FrontlineCore
import FrontlineDomain
import FrontlineMail
import FrontlineNotify
import FrontlineStore
import Logging
import Synchronization

/// The chat door's settings (`FRONTLINE_CHAT_DOOR`, `FRONTLINE_CHAT_STEPS_NOT_HELPING`,
/// `FRONTLINE_CHAT_STARTS_PER_HOUR`, `FRONTLINE_CHAT_MESSAGES_PER_MINUTE`).
public struct ChatDoorSettings: Sendable {
    /// Off by default: the door takes requests from anyone who can reach the api.
    public var enabled: Bool
    public var stepsNotHelping: Int
    /// Conversations one address may start per hour on one api process.
    public var startsPerHour: Int
    /// Messages (and transcript reads) per conversation per minute on one api process.
    public var messagesPerMinute: Int
    /// Longest customer message taken; longer is refused, never cut.
    public var maxMessageCharacters = 4000
    public var maxNameCharacters = 200

    public init(enabled: Bool = true, stepsNotHelping: Int = 3, startsPerHour: Int = 10, messagesPerMinute: Int = 30) {
        self.enabled = enabled
        self.stepsNotHelping = stepsNotHelping
        self.startsPerHour = startsPerHour
        self.messagesPerMinute = messagesPerMinute
    }

    public init(environment: Environment) throws(ConfigurationError) {
        self.init(
            enabled: try environment.flag("FRONTLINE_CHAT_DOOR", default: false),
            stepsNotHelping: try environment.integer("FRONTLINE_CHAT_STEPS_NOT_HELPING", default: 3, range: 1...100),
            startsPerHour: try environment.integer("FRONTLINE_CHAT_STARTS_PER_HOUR", default: 10, range: 1...100_000),
            messagesPerMinute: try environment.integer("FRONTLINE_CHAT_MESSAGES_PER_MINUTE", default: 30, range: 1...100_000)
        )
    }
}

/// The classifier's use cases for the chat door, for the stored catalog: built when the api
/// starts (in the background: a customer meanwhile hears "try again shortly"), built again when
/// the catalog changes.
public final class ChatAssistantEngine: Sendable {
    public struct Parts: Sendable {
        public var catalog: ServiceCatalog
        public var classify: ClassifyTicket
        public var takeTurn: TakeTroubleshootingTurn

        public init(catalog: ServiceCatalog, classify: ClassifyTicket, takeTurn: TakeTroubleshootingTurn) {
            self.catalog = catalog
            self.classify = classify
            self.takeTurn = takeTurn
        }
    }

    private let parts = Mutex<Parts?>(nil)
    private let loadCatalog: @Sendable () async throws -> ServiceCatalog
    private let build: @Sendable (ServiceCatalog) async throws -> Parts

    public init(
        loadCatalog: @escaping @Sendable () async throws -> ServiceCatalog, build: @escaping @Sendable (ServiceCatalog) async throws -> Parts
    ) {
        self.loadCatalog = loadCatalog
        self.build = build
    }

    /// The use cases; nil until `refresh` has built them (no catalog yet, or still training).
    public func current() async throws -> Parts? {
        parts.withLock { $0 }
    }

    /// Builds the parts for the stored catalog when it differs from the one in use; true when it did.
    @discardableResult
    public func refresh() async throws -> Bool {
        let stored = try await loadCatalog()
        guard !stored.categories.isEmpty, stored != parts.withLock({ $0?.catalog }) else { return false }
        let rebuilt = try await build(stored)
        parts.withLock { $0 = rebuilt }
        return true
    }
}

/// A customer talks to the troubleshooting assistant in the chat widget. The conversation is a
/// ticket from its first message: each customer message is taken in like an email from them
/// (`IngestMessage`, channel `chat`), classified or answered by the same use cases as the email
/// door (`ClassifyTicket`, `TakeTroubleshootingTurn`), and the assistant's answer is stored on
/// the ticket as our message. What the policy (`ChatHandOverPolicy`) says must go to people is
/// recorded as escalations (`RecordEscalations`: `ticket.escalated`, which the notifier tells the
/// team); from then on the customer's messages go on the ticket and the AI no longer answers.
/// The notifier sends the customer no email for what the chat already answered.
public struct TalkInChat: Sendable {
    public let assistant: ChatAssistantEngine
    public let ingest: IngestMessage
    public let ownAddress: MailAddress
    public let policy: ChatHandOverPolicy
    public let settings: ChatDoorSettings
    public let clock: any WallClock

    public init(
        assistant: ChatAssistantEngine, ingest: IngestMessage, ownAddress: MailAddress, policy: ChatHandOverPolicy, settings: ChatDoorSettings,
        clock: any WallClock
    ) {
        self.assistant = assistant
        self.ingest = ingest
        self.ownAddress = ownAddress
        self.policy = policy
        self.settings = settings
        self.clock = clock
    }

    /// What the customer gets back for one message.
    public struct Answer: Sendable, Equatable {
        public var conversationID: String
        public var ticketID: Int64
        public var language: String
        public var state: ChatConversationState
        /// The assistant's words; nil when a person has the conversation (nothing from the AI).
        public var assistantText: String?
        /// What the widget shows when the assistant says nothing: a person will take over.
        public var notice: String?
    }

    /// The message cannot be taken; nothing was stored.
    public struct Refused: Error, Sendable, Equatable {
        public var problems: [String]
    }

    /// No catalog yet: the assistant has nothing to classify against.
    public struct NotReady: Error, Sendable {}

    // MARK: Starting

    /// Starts a conversation: a new ticket, its classification, the first answer. Returns the
    /// answer and the conversation's secret (shown this once).
    public func start(email: String, name: String?, text: String, in unitOfWork: some ReadingUnitOfWork) async throws -> (Answer, secret: String) {
        let name = name?.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems = problems(of: text)
        if EmailAddress(email) == nil { problems.append("email \"\(email.prefix(100))\" is not an email address") }
        if let name, name.unicodeScalars.count > settings.maxNameCharacters || name.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true }) {
            problems.append("name must be one line of at most \(settings.maxNameCharacters) characters")
        }
        guard problems.isEmpty else { throw Refused(problems: problems) }
        guard let parts = try await assistant.current() else { throw NotReady() }

        let conversationID = UUID().uuidString.lowercased()
        let secret = ChatConversationSecret.generate()
        let now = clock.now()
        let customer = MailAddress(email, name: name.flatMap { $0.isEmpty ? nil : $0 })
        let messageID = Self.messageID(conversationID, number: 1)
        let mail = OutgoingEmail(
            from: customer, to: ownAddress, subject: Self.subject(for: text), text: text, messageID: messageID, autoSubmitted: .no, date: now
        )
        let outcome = try await ingest.run(InboundMessage(.mime(mail.rendered()), from: MessageOrigin(channel: ChatConversationRepository.channel, answeredByItsDoor: true)), in: unitOfWork)
        guard case .newTicket(let ticket) = outcome else {
            throw Refused(problems: ["the message could not be taken as a new conversation"])
        }
        let address = EmailAddress(email)?.description ?? email.lowercased()
        let stored = try await unitOfWork.transaction { transaction -> Int64? in
            guard let stored = try transaction.chatConversations.storedMessage(messageID: messageID) else { return nil }
            try transaction.chatConversations.create(
                id: conversationID, ticket: ticket, secretSHA256: ChatConversationSecret.sha256(secret), language: nil, at: now
            )
            try transaction.chatConversations.markAnsweredInChat(stored)
            try transaction.audit.record(
                "chat_started", by: .customer(address), ticket: ticket, details: .object(["conversation": .string(conversationID)])
            )
            return stored
        }
        guard let stored else { throw Refused(problems: ["the message could not be stored"]) }
        let answer = try await open(
            ticket: ticket, message: stored, conversationID: conversationID, messageNumber: 1, customer: address, parts: parts, in: unitOfWork
        )
        return (answer, secret)
    }

    /// The first message of a ticket: classified, then the first step or a person.
    private func open(
        ticket: Int64, message: Int64, conversationID: String, messageNumber: Int, customer: String, parts: ChatAssistantEngine.Parts,
        in unitOfWork: some ReadingUnitOfWork
    ) async throws -> Answer {
        let cause = try Self.cause(ticket: ticket, message: message, kind: .newTicket, at: clock.now())
        guard case .classified(let classified) = try await parts.classify.run(ticket: ticket, message: message, in: unitOfWork, cause: cause) else {
            throw Refused(problems: ["the message could not be read"])
        }
        let language = classified.language
        let now = clock.now()
        let policy = self.policy
        let ownAddress = self.ownAddress.address
        return try await unitOfWork.transaction { transaction in
            let steps = try transaction.classifications.troubleshootingContext(of: ticket)?.suggestedSteps ?? []
            let firstStep = steps.first { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
            var decision = policy.opening(classified, firstStep: firstStep)
            let automation = try transaction.settings.automation()
            let categoryStatus = automation.phase == .partial ? try transaction.automation.state(of: classified.category)?.status : nil
            let categoryAutomatic = categoryStatus == .automatic
            if let held = ChatHandOverPolicy.heldForReview(automation, confidence: classified.confidence, categoryAutomatic: categoryAutomatic) {
                decision.triggers.append(held)
            }
            _ = try RecordEscalations().record(decision.triggers, ticket: ticket, in: transaction, cause: cause)
            let subject = try transaction.tickets.overview(of: ticket)?.subject ?? ""
            let phrases = ChatPhrases(language: language, ticket: ticket, subject: subject)
            let text: String
            let state: ChatConversationState
            if decision.handsOver || firstStep == nil {
                text = phrases.opening(step: nil)
                state = .person
            } else {
                text = phrases.opening(step: firstStep)
                state = .assistant
            }
            try transaction.chatConversations.recordAnswer(
                ticket: ticket, conversation: conversationID, number: messageNumber, from: ownAddress, to: customer, subject: subject, text: text, at: now
            )
            try transaction.tickets.recordFirstResponse(ticket, at: now)
            try transaction.chatConversations.update(conversationID, state: state, stepsNotHelping: 0, language: language, at: now)
            return Answer(conversationID: conversationID, ticketID: ticket, language: language, state: state, assistantText: text, notice: nil)
        }
    }

    // MARK: A turn

    /// The customer's next message in `conversation` (whose secret the door has checked).
    public func say(_ text: String, in conversation: ChatConversation, unitOfWork: some ReadingUnitOfWork) async throws -> Answer {
        let problems = problems(of: text)
        guard problems.isEmpty else { throw Refused(problems: problems) }
        guard let parts = try await assistant.current() else { throw NotReady() }
        guard let email = conversation.customerEmail, EmailAddress(email) != nil else {
            throw Refused(problems: ["this conversation can no longer take messages"])
        }
        let now = clock.now()
        let id = conversation.id
        let number = try await unitOfWork.transaction { try $0.chatConversations.countCustomerMessage(id, at: now) }
        let first = Self.messageID(id, number: 1)
        let messageID = Self.messageID(id, number: number)
        let mail = OutgoingEmail(
            from: MailAddress(email, name: conversation.customerName), to: ownAddress, subject: "Re: " + Self.subject(for: text), text: text,
            messageID: messageID, inReplyTo: first, references: [first], autoSubmitted: .no, date: now
        )
        let outcome = try await ingest.run(InboundMessage(.mime(mail.rendered()), from: MessageOrigin(channel: ChatConversationRepository.channel, answeredByItsDoor: true)), in: unitOfWork)
        let ticket: Int64
        var fresh = false
        switch outcome {
        case .reply(let continued): ticket = continued
        case .newTicket(let followUp):
            // The ticket was closed: the customer's new words are a follow-up ticket, and the conversation moves to it.
            ticket = followUp
            fresh = true
        default: throw Refused(problems: ["the message could not be taken"])
        }
        let state = conversation.state
        let stored = try await unitOfWork.transaction { transaction -> Int64? in
            guard let stored = try transaction.chatConversations.storedMessage(messageID: messageID) else { return nil }
            try transaction.chatConversations.markAnsweredInChat(stored)
            if fresh { try transaction.chatConversations.move(id, to: ticket, at: now) }
            return stored
        }
        guard let stored else { throw Refused(problems: ["the message could not be stored"]) }
        if fresh {
            return try await open(ticket: ticket, message: stored, conversationID: id, messageNumber: number, customer: email, parts: parts, in: unitOfWork)
        }
        let language = conversation.language ?? Phrases.fallbackLanguage
        // Handed over: the message is on the ticket for people; the AI says nothing.
        if state == .person { return handedOver(conversation, ticket: ticket, language: language) }

        let cause = try Self.cause(ticket: ticket, message: stored, kind: .reply, at: now)
        switch try await parts.takeTurn.run(ticket: ticket, message: stored, in: unitOfWork, cause: cause) {
        case .taken(let turn):
            return try await answer(turn, conversation: conversation, ticket: ticket, number: number, customer: email, cause: cause, in: unitOfWork)
        case .ticketNotClassified:
            return try await open(ticket: ticket, message: stored, conversationID: id, messageNumber: number, customer: email, parts: parts, in: unitOfWork)
        case .personAnswering, .notFromCustomer, .messageNotFound:
            // A person answers this ticket (or the sender is not its customer): the AI stays out.
            try await unitOfWork.transaction { transaction in
                try transaction.chatConversations.update(id, state: .person, stepsNotHelping: conversation.stepsNotHelping, language: nil, at: now)
            }
            return handedOver(conversation, ticket: ticket, language: language)
        }
    }

    private func answer(
        _ turn: TicketTurn, conversation: ChatConversation, ticket: Int64, number: Int, customer: String, cause: EventEnvelope,
        in unitOfWork: some ReadingUnitOfWork
    ) async throws -> Answer {
        let language = conversation.language ?? Phrases.fallbackLanguage
        let now = clock.now()
        let ownAddress = self.ownAddress.address
        let policy = self.policy
        return try await unitOfWork.transaction { transaction in
            // The chat offers the ticket's steps one at a time (an email lists them all at once): the
            // next one not shown yet, else the one the provider proposed.
            let steps = (try transaction.classifications.troubleshootingContext(of: ticket)?.suggestedSteps ?? [])
                .filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
            let shown = conversation.stepsNotHelping + 1
            let nextStep = turn.resolved ? nil : (steps.indices.contains(shown) ? steps[shown] : turn.nextStep)
            let decision = policy.reply(turn, nextStep: nextStep, stepsNotHelpingBefore: conversation.stepsNotHelping)
            _ = try RecordEscalations().record(decision.triggers, ticket: ticket, in: transaction, cause: cause)
            let subject = try transaction.tickets.overview(of: ticket)?.subject ?? ""
            let phrases = ChatPhrases(language: language, ticket: ticket, subject: subject)
            var state = ChatConversationState.person
            var text = phrases.handOver
            if !decision.handsOver, turn.resolved {
                state = .resolved
                text = phrases.resolved
            } else if !decision.handsOver, let nextStep {
                state = .assistant
                text = phrases.next(step: nextStep)
            }
            try transaction.chatConversations.recordAnswer(
                ticket: ticket, conversation: conversation.id, number: number, from: ownAddress, to: customer, subject: subject, text: text, at: now
            )
            try transaction.chatConversations.update(conversation.id, state: state, stepsNotHelping: decision.stepsNotHelping, language: nil, at: now)
            return Answer(conversationID: conversation.id, ticketID: ticket, language: language, state: state, assistantText: text, notice: nil)
        }
    }

    private func handedOver(_ conversation: ChatConversation, ticket: Int64, language: String) -> Answer {
        Answer(
            conversationID: conversation.id, ticketID: ticket, language: language, state: .person, assistantText: nil,
            notice: ChatPhrases(language: language, ticket: ticket, subject: "").handOver
        )
    }

    // MARK: Reading

    /// The conversation as the customer sees it.
    public func transcript(of conversation: ChatConversation, in unitOfWork: some ReadingUnitOfWork) async throws -> [ChatTranscriptLine] {
        let ticket = conversation.ticketID
        return try await unitOfWork.read { try $0.chatConversations.transcript(ticket: ticket) }
    }

    // MARK: Pieces

    /// What is wrong with a message, one line each; empty when it can be taken.
    public func problems(of text: String) -> [String] {
        var problems: [String] = []
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append("message is empty") }
        // Counted as JSON Schema's maxLength counts (code points), so the document and the door agree.
        if text.unicodeScalars.count > settings.maxMessageCharacters { problems.append("message is longer than \(settings.maxMessageCharacters) characters") }
        if text.contains("\u{0}") { problems.append("message contains a NUL character") }
        return problems
    }

    /// `chat-<conversation>-<n>@frontline.invalid`: unique per message, never a thread of our mail.
    static func messageID(_ conversation: String, number: Int) -> String { "chat-\(conversation)-\(number)@frontline.invalid" }

    /// The ticket's subject from the first line of the message; brackets dropped, so the customer
    /// cannot name another ticket with a subject tag.
    static func subject(for text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let cleaned = line.filter { $0 != "[" && $0 != "]" && !($0.asciiValue.map { $0 < 0x20 } ?? false) }
            .trimmingCharacters(in: .whitespaces)
        let short = cleaned.count > 80 ? String(cleaned.prefix(80)) + "…" : cleaned
        return "Chat: " + (short.isEmpty ? "conversation" : short)
    }

    /// What the chat door received, as the cause of the use cases' events (never published itself).
    static func cause(ticket: Int64, message: Int64, kind: TicketReceived.Kind, at now: Date) throws -> EventEnvelope {
        try EventEnvelope(TicketReceived(messageID: message, kind: kind, senderRole: .customer, autoReplyForbidden: false), ticketID: ticket, occurredAt: now)
    }
}

/// The assistant's words in the customer's language, from the notifier's phrases.
struct ChatPhrases {
    let language: String
    let ticket: Int64
    let subject: String

    func phrase(_ key: String) -> String {
        let text = Phrases.builtin[language]?[key] ?? Phrases.builtin[Phrases.fallbackLanguage]?[key] ?? ""
        return text.replacingOccurrences(of: "{{tag}}", with: "T-\(ticket)").replacingOccurrences(of: "{{subject}}", with: subject)
    }

    func opening(step: String?) -> String {
        guard let step else { return phrase("confirmation_intro") + "\n\n" + phrase("person_will_contact") }
        return phrase("confirmation_intro") + "\n\n" + phrase("steps_heading") + "\n" + step + "\n\n" + phrase("reply_closing")
    }

    func next(step: String) -> String { phrase("reply_intro") + "\n" + step + "\n\n" + phrase("reply_closing") }
    var handOver: String { phrase("person_will_contact") }
    var resolved: String { phrase("resolved_body") }
}
