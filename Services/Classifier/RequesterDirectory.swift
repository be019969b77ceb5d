import FrontlineDirectory
import FrontlineRuntime
import FrontlineUseCases

/// The directory the classifier reads each new ticket's requester from (FRONTLINE_DIRECTORY);
/// nil reader when none is configured.
enum RequesterDirectory {
    static func reader(_ context: ServiceContext) throws -> (reader: ReadRequesterProfile?, services: [any Service]) {
        let settings = try DirectorySettings(environment: context.environment)
        guard let lookup = settings.makeLookup() else { return (nil, []) }
        let reader = ReadRequesterProfile(lookup: lookup, vipGroup: settings.vipGroup, clock: context.clock, logger: context.logger)
        return (reader, [ResourceService(name: "directory") { lookup.shutdown() }])
    }
}
