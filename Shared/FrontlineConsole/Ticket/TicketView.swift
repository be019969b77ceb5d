import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// Everything the ticket page shows, read in one transaction.
struct TicketView: Sendable {
    var ticket: TicketOverview
    var standing: TicketStanding
    var needsReview: Bool
    var drafts: [HeldNotification]
    var conversation: [ConversationEntry]
    var decision: AIDecisionView?
    var timeline: [TicketStoryEvent]
    var labels: [CatalogLabel]
    var technicians: [Technician]
    var escalationCauses: Set<String>
    /// What the directory said about the requester; nil when no directory read them.
    var directory: RequesterProfile? = nil

    static func read(_ id: Int64, in transaction: StoreTransaction) throws -> TicketView? {
        let tickets = transaction.tickets
        guard let ticket = try tickets.overview(of: id), let standing = try tickets.standing(of: id) else { return nil }
        return TicketView(
            ticket: ticket, standing: standing, needsReview: try tickets.needsReview(id), drafts: try transaction.notifications.held(ticket: id),
            conversation: try tickets.conversation(of: id), decision: try transaction.classifications.decision(of: id),
            // The notes are in the conversation; the timeline tells what happened around it.
            timeline: try tickets.story(of: id, withNotes: false), labels: try transaction.catalog.load().labels,
            technicians: try transaction.team.technicians(defaultSchedule: try transaction.team.calendar()).filter(\.active),
            escalationCauses: try transaction.escalations.causes(of: id),
            directory: try transaction.requesterProfiles.profile(of: id)
        )
    }

    /// Longest text shown of one email: the rest is in the store (`frontline ticket show`).
    static let maxShownCharacters = 20_000

    func values(at now: Date, user: ConsoleUser) -> [String: Any] {
        var values: [String: Any] = [
            "id": String(ticket.id), "subject": ticket.subject.isEmpty ? "(no subject)" : ticket.subject,
            "status": ticket.status.rawValue.replacingOccurrences(of: "_", with: " "), "requester": ticket.requester ?? "unknown",
            "assignee": ticket.assignee ?? "nobody", "created": ConsoleFormat.time(ticket.createdAt), "review": needsReview,
            "can_answer": user.technicianID != nil,
            "can_solve": ticket.status.canMove(to: .solved), "can_reopen": ticket.status != .open && ticket.status.canMove(to: .open),
        ]
        values["conversation"] = conversation.map { entry -> [String: Any] in
            let text = entry.text.count > Self.maxShownCharacters ? String(entry.text.prefix(Self.maxShownCharacters)) + "\n[…]" : entry.text
            return [
                "kind": entry.kind.rawValue, "label": Self.label(entry.kind), "from": entry.from, "to": entry.to ?? "", "has_to": entry.to != nil,
                "subject": entry.subject ?? "", "has_subject": !(entry.subject ?? "").isEmpty, "text": text, "detail": entry.detail ?? "",
                "has_detail": !(entry.detail ?? "").isEmpty, "at": ConsoleFormat.time(entry.at),
            ]
        }
        values["no_conversation"] = conversation.isEmpty
        if let classification = ticket.classification {
            var shown: [String: Any] = [
                "label": "\(classification.category) / \(classification.requestType)", "priority": classification.priority,
            ]
            if let decision {
                shown["ai_label"] = "\(decision.category) / \(decision.requestType)"
                shown["confidence"] = String(format: "%.2f", decision.confidence)
                shown["by"] = "\(decision.provider) / \(decision.model)"
                shown["language"] = decision.language
                shown["decided"] = ConsoleFormat.time(decision.decidedAt)
                shown["steps"] = decision.steps
                shown["has_steps"] = !decision.steps.isEmpty
                let reasons = decision.flags.map { $0.replacingOccurrences(of: "_", with: " ") } + decision.adjustments
                shown["reasons"] = reasons
                shown["has_reasons"] = !reasons.isEmpty
                let corrected = decision.currentCategory != decision.category || decision.currentRequestType != decision.requestType
                shown["review"] =
                    switch (decision.reviewedBy, corrected) {
                    case (let who?, true): "corrected by \(who) to \(classification.category) / \(classification.requestType)"
                    case (let who?, false): "confirmed by \(who)"
                    case (nil, _): "not reviewed yet"
                    }
            } else {
                shown["ai_label"] = "\(classification.category) / \(classification.requestType)"
                shown["review"] = "set by a person"
            }
            values["decision"] = shown
        }
        let current = ticket.classification.map { "\($0.category) / \($0.requestType)" }
        values["labels"] = labels.map { ["value": $0.description, "selected": $0.description == current] }
        values["technicians"] = technicians.map { ["email": $0.email, "name": $0.name, "selected": $0.email.lowercased() == ticket.assigneeEmail?.lowercased()] }
        // The AI's answer to the customer, first of the held drafts: the one a person edits.
        if let draft = drafts.first(where: { $0.kind.recipientRole == .customer }) ?? drafts.first {
            values["draft"] = ["to": draft.recipient, "subject": draft.subject, "count": drafts.count, "more": drafts.count > 1]
            values["draft_text"] = draft.bodyText
        }
        let levels = standing.serviceLevels
        values["sla"] = [
            target("First response", due: levels.firstResponseDue, done: levels.firstRespondedAt, outcome: levels.firstResponse(at: now), .firstResponse),
            target("Resolution", due: levels.resolutionDue, done: levels.solvedAt, outcome: levels.resolution(at: now), .resolution),
        ]
        values["paused"] = levels.resolutionPausedSince != nil
        values["timeline"] = timeline.map { ["at": $0.at, "kind": $0.kind, "text": $0.text] }
        if let directory {
            values["directory"] = [
                "text": directory.summaryLines.joined(separator: " · "), "read": ConsoleFormat.time(directory.readAt), "unknown": !directory.inDirectory,
            ]
        }
        return values
    }

    /// One SLA target: its due time and a mark a person sees at a glance.
    func target(_ name: String, due: Date?, done: Date?, outcome: ServiceLevelStanding.Outcome?, _ slaTarget: SLAClock.Target) -> [String: Any] {
        let mark: ServiceMark =
            switch outcome {
            case .met?: .met
            case .breached?: .breached
            case .onTrack?: escalationCauses.contains(EscalationPolicy.slaWarningCause(slaTarget)) ? .atRisk : .onTrack
            case nil: .none
            }
        return [
            "name": name, "due": due.map(ConsoleFormat.time) ?? "not set yet", "done": done.map(ConsoleFormat.time) ?? "",
            "has_done": done != nil, "mark": mark.rawValue, "mark_label": mark.label,
        ]
    }

    static func label(_ kind: ConversationEntry.Kind) -> String {
        switch kind {
        case .inbound: "Email in"
        case .outbound: "Email out"
        case .answer: "Answer"
        case .note: "Internal note"
        }
    }
}

/// How an SLA target stands, as the page marks it (class `sla <mark>`).
enum ServiceMark: String {
    case met
    case onTrack = "on-track"
    case atRisk = "at-risk"
    case breached
    case none

    var label: String {
        switch self {
        case .met: "met"
        case .onTrack: "on track"
        case .atRisk: "at risk"
        case .breached: "breached"
        case .none: "no target yet"
        }
    }
}

/// Times as people read them on the console: in UTC, to the minute.
enum ConsoleFormat {
    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }
}
