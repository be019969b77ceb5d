/// The templates shipped with Frontline. Customer mail takes its wording from `t` (see
/// `Phrases`); mail to technicians, managers, operations and suppliers is in English.
/// Text templates render with no escaping; HTML templates escape every value, so a
/// customer's text never becomes markup.
///
/// Values: `tag`, `ticket_id`, `subject`, `name`, `requester_name`, `requester_email`, `body`,
/// `quoted_body`, `category`, `request_type`, `priority`, `confidence_percent`, `steps`,
/// `first_response_hours`, `resolution_hours`, `first_response_due`, `resolution_due`,
/// `technician_name`, `technician_first_name`, `intro`, `needs_person`, `held`, `held_reason`,
/// `next_step`, `escalation_level`, `escalation_cause`, `escalation_detail`, `assignee`,
/// `history`, `period_start`, `period_end`, `counts` (`label`, `value`), `supplier_name`,
/// `supplier_topic`, `waiting_hours`, `alert`, `report_count`, `report_since`, `filename`,
/// `latest_message`, `quoted_latest_message` (the customer's newest message, for a reopen),
/// `ticket_count`, `digest_tickets` (`tag`, `subject`, `assignee`, `first_response_due`,
/// `reasons` (`cause`, `detail`)).
/// `reply_address` (the technician's, on their emails), `reply_body` and `author_name` (a
/// person's answer), `their_subject`, `problems` and `commands` (refused email commands).
/// `sign_in_url` and `sign_in_minutes` (a console sign-in link and how long it works).
/// `directory_found` (`directory_name`, `directory_department`, `directory_title`,
/// `directory_phone`, `directory_manager`, `directory_groups`, `directory_devices`,
/// `directory_read_at`) and `directory_not_found`: what the directory said about the requester.
enum BuiltinTemplates {
    static let textPragma = "{{% CONTENT_TYPE: TEXT}}"

    static let all: [String: String] = {
        var templates: [String: String] = [:]
        for (name, text) in textTemplates { templates[name] = textPragma + text }
        for (name, html) in htmlTemplates { templates[name] = html }
        return templates
    }()

    static let textTemplates: [String: String] = [
        "greeting.text": "{{t.hello}}{{#name}} {{name}}{{/name}},\n",
        "signoff.text": "{{t.sign_off}}\n{{t.team}}\n",
        // Who the requester is, from the directory (technicians' and managers' mail only).
        "directory.text": """
            {{#directory_found}}

            From the directory (read {{directory_read_at}}):
              Name:        {{directory_name}}
              Department:  {{directory_department}}
              Title:       {{directory_title}}
              Phone:       {{directory_phone}}
              Manager:     {{directory_manager}}
              Groups:      {{directory_groups}}
            {{#directory_devices}}
              Device:      {{.}}
            {{/directory_devices}}
            {{/directory_found}}
            {{#directory_not_found}}

            The sender is not in the directory (read {{directory_read_at}}).
            {{/directory_not_found}}

            """,

        "confirmation.subject": "{{tag}} {{t.confirmation_subject}}: {{subject}}",
        "confirmation.text": """
            {{> greeting.text}}
            {{t.confirmation_intro}}
            {{#intro}}

            {{intro}}
            {{/intro}}

            {{#needs_person}}
            {{t.person_will_contact}}
            {{/needs_person}}
            {{t.response_time}}
            {{^needs_person}}
            {{#has_steps}}

            {{t.steps_heading}}
            {{/has_steps}}
            {{#steps}}
              - {{.}}
            {{/steps}}
            {{/needs_person}}

            {{t.reply_hint}}

            {{> signoff.text}}
            """,

        "status_assigned.subject": "{{tag}} {{t.assigned_subject}}: {{subject}}",
        "status_assigned.text": """
            {{> greeting.text}}
            {{t.assigned_body}}
            {{#intro}}

            {{intro}}
            {{/intro}}

            {{t.reply_hint}}

            {{> signoff.text}}
            """,

        "status_waiting_supplier.subject": "{{tag}} {{t.waiting_supplier_subject}}: {{subject}}",
        "status_waiting_supplier.text": """
            {{> greeting.text}}
            {{t.waiting_supplier_body}}

            {{t.reply_hint}}

            {{> signoff.text}}
            """,

        "troubleshooting_reply.subject": "{{tag}} {{t.reply_subject}}: {{subject}}",
        "troubleshooting_reply.text": """
            {{> greeting.text}}
            {{t.reply_intro}}

              {{next_step}}
            {{#intro}}

            {{intro}}
            {{/intro}}

            {{t.reply_closing}}

            {{> signoff.text}}
            """,

        "resolved.subject": "{{tag}} {{t.resolved_subject}}: {{subject}}",
        "resolved.text": """
            {{> greeting.text}}
            {{t.resolved_body}}
            {{#intro}}

            {{intro}}
            {{/intro}}

            {{t.feedback}}

            {{t.reopen_hint}}

            {{> signoff.text}}
            """,

        "solved.subject": "{{tag}} {{t.solved_subject}}: {{subject}}",
        "solved.text": """
            {{> greeting.text}}
            {{t.solved_body}}
            {{#intro}}

            {{intro}}
            {{/intro}}

            {{t.rating_request}}

            {{t.reopen_hint}}

            {{> signoff.text}}
            """,

        "reopened.subject": "{{tag}} Reopened by the customer: {{subject}}",
        "reopened.text": """
            {{technician_first_name}}, the customer wrote again on ticket {{tag}}, so it is open again and still yours.
            {{#intro}}

            {{intro}}
            {{/intro}}

            Subject:     {{subject}}
            Customer:    {{requester_name}} <{{requester_email}}>
            Category:    {{category}} / {{request_type}}
            Priority:    {{priority}}
            Resolution due: {{resolution_due}}

            The customer wrote:
            {{quoted_latest_message}}

            Reply to this email to answer the customer; start with #note for an internal note, or #solve to solve it.
            """,

        "assignment.subject": "{{tag}} Assigned to you: {{subject}} ({{priority}})",
        "assignment.text": """
            {{technician_first_name}}, ticket {{tag}} is yours.
            {{#intro}}

            {{intro}}
            {{/intro}}

            Subject:     {{subject}}
            Customer:    {{requester_name}} <{{requester_email}}>
            Category:    {{category}} / {{request_type}}
            Priority:    {{priority}}
            AI confidence: {{confidence_percent}} %
            First response due: {{first_response_due}}
            Resolution due:     {{resolution_due}}
            {{> directory.text}}
            {{#needs_person}}

            The customer asked for a person or raised a safety concern: handle it yourself.
            {{/needs_person}}
            {{#held}}

            The AI's answer to the customer is held for your review ({{held_reason}}); the customer has been sent nothing yet.
            Review it with `frontline ticket show {{ticket_id}}`, then `frontline ticket approve {{ticket_id}}` or correct the classification.
            {{/held}}
            {{#has_steps}}

            Suggested steps:
            {{/has_steps}}
            {{#steps}}
              - {{.}}
            {{/steps}}
            {{#reply_address}}

            To answer, reply to this email: your text goes to the customer in your name (the quoted history is left out)
            and the ticket then waits on the customer (pending). Commands on the first lines, one per line, change that:
              #note                 the text below is an internal note; nothing is sent to the customer
              #solve #pending #hold #open #close     set the status (with or without an answer below)
              #assign name@example.com   #priority high   #category Category / Request type
              #approve #reject      send or discard the AI's draft waiting for review
            {{/reply_address}}

            The customer wrote:
            {{quoted_body}}
            """,

        "agent_reply.subject": "{{tag}} Re: {{subject}}",
        "agent_reply.text": """
            {{reply_body}}

            {{author_name}}
            {{t.team}}

            {{t.reply_hint}}
            """,

        "command_rejected.subject": "{{tag}} Not done: {{their_subject}}",
        "command_rejected.text": """
            {{name}}, nothing of your email on ticket {{tag}} was done, and nothing was sent to the customer:

            {{#problems}}
              - {{.}}
            {{/problems}}

            Reply to this email with the commands corrected. Commands go on the first lines, one per line; the text below
            them is your answer to the customer (or your note, with #note):
            {{#commands}}
              {{.}}
            {{/commands}}

            Frontline
            """,

        "escalation.subject": "{{tag}} Escalation ({{escalation_level}}): {{subject}}",
        "escalation.text": """
            Dear {{#name}}{{name}}{{/name}}{{^name}}manager{{/name}},

            Ticket {{tag}} has been escalated at level {{escalation_level}}.
            {{#intro}}

            {{intro}}
            {{/intro}}

            Reason:    {{escalation_cause}}: {{escalation_detail}}
            Subject:   {{subject}}
            Customer:  {{requester_name}} <{{requester_email}}>
            Category:  {{category}} / {{request_type}}, priority {{priority}}
            Assignee:  {{assignee}}
            First response due: {{first_response_due}}
            Resolution due:     {{resolution_due}}
            {{> directory.text}}
            History:
            {{#history}}
              - {{.}}
            {{/history}}

            The customer wrote:
            {{quoted_body}}

            Frontline
            """,

        "escalation_digest.subject": "Escalations: {{ticket_count}} tickets need a look",
        "escalation_digest.text": """
            These tickets were escalated to the team lead since the last digest, the most urgent first:

            {{#digest_tickets}}
            {{tag}} {{subject}}
              Assignee: {{assignee}}
              First response due: {{first_response_due}}
            {{#reasons}}
              - {{cause}}: {{detail}}
            {{/reasons}}

            {{/digest_tickets}}
            Frontline
            """,

        "summary.subject": "Frontline summary {{period_start}} to {{period_end}}",
        "summary.text": """
            Processing summary from {{period_start}} to {{period_end}} (UTC):

            {{#counts}}
              {{label}}: {{value}}
            {{/counts}}

            Frontline
            """,

        "operations_alert.subject": "Frontline alert: {{alert_title}}",
        "operations_alert.text": """
            {{alert}}

            Frontline
            """,

        "sign_in_link.subject": "Sign in to Frontline",
        "sign_in_link.text": """
            {{#name}}Hello {{name}},{{/name}}{{^name}}Hello,{{/name}}

            Open this link to sign in to the Frontline console:

            {{sign_in_url}}

            It works once, for {{sign_in_minutes}} minutes. If you did not ask to sign in, ignore this email: nobody can sign in without the link.

            Frontline
            """,

        "report.subject": "Frontline ticket report ({{report_count}} tickets)",
        "report.text": """
            The ticket report is attached ({{filename}}): {{report_count}} tickets{{#report_since}} since {{report_since}}{{/report_since}}.

            Frontline
            """,

        "supplier_request.subject": "{{tag}} Request from our service desk: {{supplier_topic}}",
        "supplier_request.text": """
            Dear {{supplier_name}},

            We are writing on behalf of our customer about the following matter ({{supplier_topic}}).

            Subject: {{subject}}
            {{#intro}}

            {{intro}}
            {{/intro}}

            Please reply to this email and keep {{tag}} in the subject so that your answer reaches the right case.

            Kind regards,
            IT Service Desk
            """,

        "supplier_reminder.subject": "{{tag}} Reminder: {{supplier_topic}}",
        "supplier_reminder.text": """
            Dear {{supplier_name}},

            We wrote to you {{waiting_hours}} hours ago about the matter below and have not had an answer yet.

            Subject: {{subject}}

            Please reply to this email and keep {{tag}} in the subject.

            Kind regards,
            IT Service Desk
            """,
    ]

    static let htmlTemplates: [String: String] = [
        "html.open": """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>{{subject}}</title></head>
            <body style="font-family: Arial, Helvetica, sans-serif; font-size: 14px; color: #222; line-height: 1.5;">

            """,
        "html.close": "</body></html>\n",
        "greeting.html": "<p>{{t.hello}}{{#name}} {{name}}{{/name}},</p>\n",
        "signoff.html": "<p>{{t.sign_off}}<br>{{t.team}}</p>\n",
        "steps.html": "{{#has_steps}}<ol>{{#steps}}<li>{{.}}</li>{{/steps}}</ol>{{/has_steps}}\n",
        "quoted.html": "<blockquote style=\"border-left: 3px solid #ccc; margin: 0; padding-left: 12px; white-space: pre-wrap;\">{{body}}</blockquote>\n",
        "directory.html": """
            {{#directory_found}}<p><b>From the directory</b> (read {{directory_read_at}})</p>
            <table style="border-collapse: collapse;">
            <tr><td><b>Name</b></td><td>{{directory_name}}</td></tr>
            <tr><td><b>Department</b></td><td>{{directory_department}}</td></tr>
            <tr><td><b>Title</b></td><td>{{directory_title}}</td></tr>
            <tr><td><b>Phone</b></td><td>{{directory_phone}}</td></tr>
            <tr><td><b>Manager</b></td><td>{{directory_manager}}</td></tr>
            <tr><td><b>Groups</b></td><td>{{directory_groups}}</td></tr>
            {{#directory_devices}}<tr><td><b>Device</b></td><td>{{.}}</td></tr>{{/directory_devices}}
            </table>
            {{/directory_found}}{{#directory_not_found}}<p><b>The sender is not in the directory</b> (read {{directory_read_at}}).</p>{{/directory_not_found}}
            """,
        "facts.html": """
            <table style="border-collapse: collapse;">
            <tr><td><b>Subject</b></td><td>{{subject}}</td></tr>
            <tr><td><b>Customer</b></td><td>{{requester_name}} &lt;{{requester_email}}&gt;</td></tr>
            <tr><td><b>Category</b></td><td>{{category}} / {{request_type}}</td></tr>
            <tr><td><b>Priority</b></td><td>{{priority}}</td></tr>
            <tr><td><b>First response due</b></td><td>{{first_response_due}}</td></tr>
            <tr><td><b>Resolution due</b></td><td>{{resolution_due}}</td></tr>
            </table>

            """,

        "confirmation.html": """
            {{> html.open}}{{> greeting.html}}<p>{{t.confirmation_intro}}</p>
            {{#intro}}<p>{{intro}}</p>{{/intro}}
            {{#needs_person}}<p>{{t.person_will_contact}}</p>{{/needs_person}}
            <p>{{t.response_time}}</p>
            {{^needs_person}}{{#has_steps}}<p>{{t.steps_heading}}</p>{{/has_steps}}{{> steps.html}}{{/needs_person}}
            <p>{{t.reply_hint}}</p>
            {{> signoff.html}}{{> html.close}}
            """,
        "status_assigned.html": """
            {{> html.open}}{{> greeting.html}}<p>{{t.assigned_body}}</p>
            {{#intro}}<p>{{intro}}</p>{{/intro}}
            <p>{{t.reply_hint}}</p>
            {{> signoff.html}}{{> html.close}}
            """,
        "status_waiting_supplier.html": """
            {{> html.open}}{{> greeting.html}}<p>{{t.waiting_supplier_body}}</p>
            <p>{{t.reply_hint}}</p>
            {{> signoff.html}}{{> html.close}}
            """,
        "troubleshooting_reply.html": """
            {{> html.open}}{{> greeting.html}}<p>{{t.reply_intro}}</p>
            <p style="margin-left: 16px;"><b>{{next_step}}</b></p>
            {{#intro}}<p>{{intro}}</p>{{/intro}}
            <p>{{t.reply_closing}}</p>
            {{> signoff.html}}{{> html.close}}
            """,
        "resolved.html": """
            {{> html.open}}{{> greeting.html}}<p>{{t.resolved_body}}</p>
            {{#intro}}<p>{{intro}}</p>{{/intro}}
            <p>{{t.feedback}}</p>
            <p>{{t.reopen_hint}}</p>
            {{> signoff.html}}{{> html.close}}
            """,
        "solved.html": """
            {{> html.open}}{{> greeting.html}}<p>{{t.solved_body}}</p>
            {{#intro}}<p>{{intro}}</p>{{/intro}}
            <p><b>{{t.rating_request}}</b></p>
            <p>{{t.reopen_hint}}</p>
            {{> signoff.html}}{{> html.close}}
            """,
        "reopened.html": """
            {{> html.open}}<p>{{technician_first_name}}, the customer wrote again on ticket <b>{{tag}}</b>, so it is open again and still yours.</p>
            {{#intro}}<p>{{intro}}</p>{{/intro}}
            {{> facts.html}}<p>The customer wrote:</p>
            <blockquote style="border-left: 3px solid #ccc; margin: 0; padding-left: 12px; white-space: pre-wrap;">{{latest_message}}</blockquote>
            <p>Reply to this email to answer the customer; start with <code>#note</code> for an internal note, or <code>#solve</code> to solve it.</p>
            {{> html.close}}
            """,
        "assignment.html": """
            {{> html.open}}<p>{{technician_first_name}}, ticket <b>{{tag}}</b> is yours.</p>
            {{#intro}}<p>{{intro}}</p>{{/intro}}
            {{> facts.html}}{{> directory.html}}<p>AI confidence: {{confidence_percent}} %</p>
            {{#needs_person}}<p><b>The customer asked for a person or raised a safety concern: handle it yourself.</b></p>{{/needs_person}}
            {{#held}}<p><b>The AI's answer to the customer is held for your review ({{held_reason}});</b> the customer has been sent nothing yet.
            Review it with <code>frontline ticket show {{ticket_id}}</code>, then <code>frontline ticket approve {{ticket_id}}</code> or correct the classification.</p>{{/held}}
            {{#has_steps}}<p>Suggested steps:</p>{{/has_steps}}{{> steps.html}}
            {{#reply_address}}<p>To answer, reply to this email: your text goes to the customer in your name (the quoted history is left out)
            and the ticket then waits on the customer (pending). Commands on the first lines, one per line, change that:
            <code>#note</code> (an internal note, nothing is sent), <code>#solve</code>, <code>#pending</code>, <code>#hold</code>,
            <code>#open</code>, <code>#close</code>, <code>#assign name@example.com</code>, <code>#priority high</code>,
            <code>#category Category / Request type</code>, <code>#approve</code>, <code>#reject</code>.</p>{{/reply_address}}
            <p>The customer wrote:</p>
            {{> quoted.html}}{{> html.close}}
            """,
        "agent_reply.html": """
            {{> html.open}}<div style="white-space: pre-wrap;">{{reply_body}}</div>
            <p>{{author_name}}<br>{{t.team}}</p>
            <p style="color: #666;">{{t.reply_hint}}</p>
            {{> html.close}}
            """,
        "command_rejected.html": """
            {{> html.open}}<p>{{name}}, nothing of your email on ticket <b>{{tag}}</b> was done, and nothing was sent to the customer:</p>
            <ul>{{#problems}}<li>{{.}}</li>{{/problems}}</ul>
            <p>Reply to this email with the commands corrected. Commands go on the first lines, one per line; the text below them is
            your answer to the customer (or your note, with <code>#note</code>):</p>
            <ul>{{#commands}}<li><code>{{.}}</code></li>{{/commands}}</ul>
            <p>Frontline</p>
            {{> html.close}}
            """,
        "escalation.html": """
            {{> html.open}}<p>Dear {{#name}}{{name}}{{/name}}{{^name}}manager{{/name}},</p>
            <p>Ticket <b>{{tag}}</b> has been escalated at level <b>{{escalation_level}}</b>.</p>
            {{#intro}}<p>{{intro}}</p>{{/intro}}
            <p><b>Reason:</b> {{escalation_cause}}: {{escalation_detail}}</p>
            {{> facts.html}}{{> directory.html}}<p><b>Assignee:</b> {{assignee}}</p>
            <p><b>History</b></p>
            <ul>{{#history}}<li>{{.}}</li>{{/history}}</ul>
            <p>The customer wrote:</p>
            {{> quoted.html}}<p>Frontline</p>
            {{> html.close}}
            """,
        "escalation_digest.html": """
            {{> html.open}}<p>These tickets were escalated to the team lead since the last digest, the most urgent first:</p>
            <table style="border-collapse: collapse;">{{#digest_tickets}}<tr><td style="padding: 4px 12px 4px 0; vertical-align: top;"><b>{{tag}}</b></td>
            <td style="padding: 4px 0;">{{subject}}<br>Assignee: {{assignee}}<br>First response due: {{first_response_due}}
            <ul>{{#reasons}}<li>{{cause}}: {{detail}}</li>{{/reasons}}</ul></td></tr>{{/digest_tickets}}</table>
            <p>Frontline</p>
            {{> html.close}}
            """,
        "summary.html": """
            {{> html.open}}<p>Processing summary from {{period_start}} to {{period_end}} (UTC):</p>
            <table style="border-collapse: collapse;">{{#counts}}<tr><td style="padding-right: 16px;">{{label}}</td><td style="text-align: right;">{{value}}</td></tr>{{/counts}}</table>
            <p>Frontline</p>
            {{> html.close}}
            """,
        "operations_alert.html": """
            {{> html.open}}<p style="white-space: pre-wrap;">{{alert}}</p>
            <p>Frontline</p>
            {{> html.close}}
            """,
        "sign_in_link.html": """
            {{> html.open}}<p>{{#name}}Hello {{name}},{{/name}}{{^name}}Hello,{{/name}}</p>
            <p>Open this link to sign in to the Frontline console:</p>
            <p><a href="{{sign_in_url}}">{{sign_in_url}}</a></p>
            <p>It works once, for {{sign_in_minutes}} minutes. If you did not ask to sign in, ignore this email: nobody can sign in without the link.</p>
            <p>Frontline</p>
            {{> html.close}}
            """,
        "report.html": """
            {{> html.open}}<p>The ticket report is attached ({{filename}}): {{report_count}} tickets{{#report_since}} since {{report_since}}{{/report_since}}.</p>
            <p>Frontline</p>
            {{> html.close}}
            """,
        "supplier_request.html": """
            {{> html.open}}<p>Dear {{supplier_name}},</p>
            <p>We are writing on behalf of our customer about the following matter ({{supplier_topic}}).</p>
            <p><b>Subject:</b> {{subject}}</p>
            {{#intro}}<p>{{intro}}</p>{{/intro}}
            <p>Please reply to this email and keep {{tag}} in the subject so that your answer reaches the right case.</p>
            <p>Kind regards,<br>IT Service Desk</p>
            {{> html.close}}
            """,
        "supplier_reminder.html": """
            {{> html.open}}<p>Dear {{supplier_name}},</p>
            <p>We wrote to you {{waiting_hours}} hours ago about the matter below and have not had an answer yet.</p>
            <p><b>Subject:</b> {{subject}}</p>
            <p>Please reply to this email and keep {{tag}} in the subject.</p>
            <p>Kind regards,<br>IT Service Desk</p>
            {{> html.close}}
            """,
    ]
}
