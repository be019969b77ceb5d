import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore
import FrontlineUseCases
import Hummingbird

// The ticket page (GET /tickets/{id}) and a person's actions on it, each a plain form posted
// to /tickets/{id}/<action> and done through `WorkTicket`, as the API, the CLI and email do.
extension FrontlineConsole {
    func addTicketRoutes(to router: Router<BasicRequestContext>) {
        router.get("tickets/:id") { request, context -> Response in
            try await consolePage(request) { user, csrf in
                guard let ticket = Self.ticketID(context) else { return noSuchTicket(user: user, csrf: csrf) }
                let done = request.uri.queryParameters["done"].flatMap { TicketDone(rawValue: String($0)) }
                return try await ticketPage(ticket, user: user, csrf: csrf, done: done)
            }
        }
        for action in TicketFormAction.allCases {
            router.post("tickets/:id/\(action.path)") { request, context -> Response in
                try await consoleForm(request) { user, csrf, form in
                    guard let ticket = Self.ticketID(context) else { return noSuchTicket(user: user, csrf: csrf) }
                    return try await act(action, on: ticket, form: form, user: user, csrf: csrf)
                }
            }
        }
    }

    static func ticketID(_ context: BasicRequestContext) -> Int64? {
        context.parameters.get("id").flatMap { Int64($0) }.flatMap { $0 > 0 ? $0 : nil }
    }

    func noSuchTicket(user: ConsoleUser, csrf: String, _ id: Int64? = nil) -> Response {
        pages.page("not_found", title: "No such ticket", user: user, csrf: csrf, values: ["what": id.map { "ticket #\($0)" } ?? "this ticket"], status: .notFound)
    }

    /// Does the form's action through `WorkTicket` as the signed-in person: 303 back to the page
    /// with what was done, or the page again with the problems (409) and nothing changed.
    func act(_ action: TicketFormAction, on ticket: Int64, form: [String: String], user: ConsoleUser, csrf: String) async throws -> Response {
        let worker = TicketWorker(actor: user.actor, technicianID: user.technicianID, name: user.name, email: user.email)
        let actions: [TicketAction]
        switch try await action.ticketActions(form: form, in: unitOfWork) {
        case .success(let chosen): actions = chosen
        case .failure(let problem): return try await ticketPage(ticket, user: user, csrf: csrf, problems: [problem.message], typed: action.typed(form))
        }
        do {
            try await work.run(actions, ticket: ticket, by: worker, in: unitOfWork)
            return Self.redirect(to: "/tickets/\(ticket)?done=\(action.done.rawValue)")
        } catch is NoSuchTicket {
            return noSuchTicket(user: user, csrf: csrf, ticket)
        } catch let refused as WorkTicket.Refused {
            var problems = refused.problems
            if let index = problems.firstIndex(of: WorkTicket.notATechnician(worker)) {
                problems[index] = "Only a technician of the team can answer the customer, and your console account is not linked to one "
                    + "(an admin links it by inviting you with your technician's address)."
            }
            return try await ticketPage(ticket, user: user, csrf: csrf, problems: problems, typed: action.typed(form))
        }
    }

    /// The page: 200 with `done`'s message, or 409 with `problems` and the text the person typed
    /// (`typed`: the text area's name and text) kept in its box.
    func ticketPage(
        _ id: Int64, user: ConsoleUser, csrf: String, done: TicketDone? = nil, problems: [String] = [], typed: [String: String] = [:]
    ) async throws -> Response {
        let now = clock.now()
        guard let view = try await unitOfWork.read({ try TicketView.read(id, in: $0) }) else { return noSuchTicket(user: user, csrf: csrf, id) }
        var values = view.values(at: now, user: user)
        values["done"] = done?.message
        values["problems"] = problems
        values["has_problems"] = !problems.isEmpty
        // What the person typed is not lost when the action is refused.
        values.merge(typed) { _, typed in typed }
        return pages.page(
            "ticket", title: "#\(id) \(view.ticket.subject)", user: user, csrf: csrf, values: values, status: problems.isEmpty ? .ok : .conflict
        )
    }
}

/// The forms of the ticket page: each posts to `/tickets/{id}/<path>`.
enum TicketFormAction: String, CaseIterable, Sendable {
    case sendDraft, approveDraft, rejectDraft, category, assign, note, reply, solve, reopen

    var path: String {
        switch self {
        case .sendDraft: "draft/send"
        case .approveDraft: "draft/approve"
        case .rejectDraft: "draft/reject"
        case .category: "category"
        case .assign: "assign"
        case .note: "notes"
        case .reply: "replies"
        case .solve: "solve"
        case .reopen: "reopen"
        }
    }

    var done: TicketDone {
        switch self {
        case .sendDraft: .sent
        case .approveDraft: .approved
        case .rejectDraft: .rejected
        case .category: .corrected
        case .assign: .assigned
        case .note: .noted
        case .reply: .answered
        case .solve: .solved
        case .reopen: .reopened
        }
    }

    struct Problem: Error {
        var message: String
    }

    /// The `WorkTicket` actions the form asks for, or what is wrong with it.
    func ticketActions(form: [String: String], in unitOfWork: DatabaseUnitOfWork) async throws -> Result<[TicketAction], Problem> {
        let text = form["text"] ?? ""
        switch self {
        case .sendDraft: return .success([.sendEditedDraft(text)])
        case .approveDraft: return .success([.approveDraft])
        case .rejectDraft: return .success([.rejectDraft])
        case .note: return .success([.note(text)])
        case .reply: return .success([.reply(text)])
        case .solve: return .success([.setStatus(.solved)])
        case .reopen: return .success([.setStatus(.open)])
        case .assign:
            let email = form["email"] ?? ""
            return email.isEmpty ? .failure(Problem(message: "choose a technician to assign the ticket to")) : .success([.assign(email: email)])
        case .category:
            // The option's value is the label as the catalog writes it; the catalog says which one it is.
            let chosen = form["label"] ?? ""
            let labels = try await unitOfWork.read { try $0.catalog.load().labels }
            guard let label = labels.first(where: { $0.description == chosen }) else {
                return .failure(Problem(message: "\(chosen.isEmpty ? "no request type" : chosen) is not a request type of the catalog: choose one from the list"))
            }
            return .success([.category(label)])
        }
    }

    /// The form's text under the name of the page's value that fills its text area.
    func typed(_ form: [String: String]) -> [String: String] {
        let field: String? = switch self {
        case .sendDraft: "draft_text"
        case .reply: "reply_text"
        case .note: "note_text"
        default: nil
        }
        guard let field, let text = form["text"] else { return [:] }
        return [field: text]
    }
}

/// What the page says after an action (the redirect carries only this code).
enum TicketDone: String, Sendable {
    case sent, approved, rejected, corrected, assigned, noted, answered, solved, reopened

    var message: String {
        switch self {
        case .sent: "Your edited answer is on its way to the customer; the AI's draft will not be sent."
        case .approved: "The AI's draft is approved and on its way to the customer."
        case .rejected: "The AI's draft is rejected: the customer will not receive it."
        case .corrected: "The classification is corrected; the AI learns from it."
        case .assigned: "The ticket is assigned."
        case .noted: "Your note is on the ticket (people only)."
        case .answered: "Your answer is on its way to the customer."
        case .solved: "The ticket is solved; the customer is told."
        case .reopened: "The ticket is open again."
        }
    }
}
