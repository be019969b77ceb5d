import FrontlineDirectory
import FrontlineRuntime
import FrontlineUseCases

/// Requesters the classifier could not read (the directory was away) and profiles a day old
/// are read again on the escalation tick. Nothing when no directory is configured.
enum DirectoryRetry {
    static func services(_ context: ServiceContext, every tick: Duration) throws -> [any Service] {
        let settings = try DirectorySettings(environment: context.environment)
        guard let lookup = settings.makeLookup() else { return [] }
        let refresh = RefreshRequesterProfiles(
            reader: ReadRequesterProfile(lookup: lookup, vipGroup: settings.vipGroup, clock: context.clock, logger: context.logger)
        )
        let unitOfWork = context.unitOfWork
        return [
            ResourceService(name: "directory") { lookup.shutdown() },
            PeriodicService(name: "directory retry", every: tick, logger: context.logger) { try await refresh.run(in: unitOfWork) },
        ]
    }
}
