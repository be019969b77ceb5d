import FrontlineAPI
import FrontlineConsole
import FrontlineCurl
import FrontlineMail
import FrontlineNotify
import FrontlineRuntime
import FrontlineUseCases
import Hummingbird

// api: the HTTP API under /api/v1 on FRONTLINE_API_PORT (default 8080), on the same host as the
// operations endpoints (FRONTLINE_HTTP_HOST). Stateless: run as many as you like behind a load
// balancer. Every change goes through a use case and the outbox, which this process's relay
// publishes like every other service's.
await ServiceMain.run(name: "api", defaultHTTPPort: 9107) { context in
    let settings = try APISettings(environment: context.environment)
    let (port, sender, rate, automation) = (settings.port, settings.sender, settings.requestsPerMinute, settings.automation)
    var api = FrontlineHTTPAPI(
        unitOfWork: context.unitOfWork, ownAddress: sender, clock: context.clock, logger: context.logger,
        settings: .init(requestsPerMinute: rate), automation: automation
    )
    let console = try FrontlineConsole(
        unitOfWork: context.unitOfWork, clock: context.clock, logger: context.logger,
        settings: .init(
            secureCookies: settings.secureCookies,
            publicURL: settings.consoleURL ?? "http://127.0.0.1:\(port)",
            mail: settings.mail,
            automation: automation
        )
    )
    // Slack's buttons, when the app's signing secret is set: the same use cases as every door.
    let chat = try ChatSettings(environment: context.environment)
    let slackHTTP = CurlHTTPClient(threads: 2)
    api.slackMembers = chat.slack.map { SlackMembers(settings: $0, http: slackHTTP, logger: context.logger) }
    let slackActions = chat.slackSigningSecret.map { secret in
        SlackActionRoutes(
            signingSecret: secret, answer: AnswerSlackAction(work: api.work, slack: chat.slack, http: slackHTTP, logger: context.logger),
            unitOfWork: context.unitOfWork, logger: context.logger
        )
    }
    // The customer chat door (FRONTLINE_CHAT_DOOR): conversations with the assistant, and its widget.
    let chatDoor = try ChatDoorWiring.make(context, ownAddress: sender)
    var serverLogger = context.logger
    serverLogger.logLevel = .warning
    let host = context.configuration.httpHost
    let logger = context.logger
    let server = Application(
        router: HTTPMetricsRouter(
            api.router(otherDoors: { router in
                console.addRoutes(to: router)
                slackActions?.add(to: router)
                chatDoor.routes.add(to: router)
            })
        ),
        configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
        onServerRunning: { channel in
            logger.info(
                "api listening",
                metadata: ["api_host": "\(channel.localAddress?.ipAddress ?? host)", "api_port": "\(channel.localAddress?.port ?? port)"]
            )
        },
        logger: serverLogger
    )
    let services: [any Service] = [context.outboxRelay(), ResourceService(name: "Slack HTTP client") { slackHTTP.shutdown() }]
    return services + chatDoor.services + [server]
}
