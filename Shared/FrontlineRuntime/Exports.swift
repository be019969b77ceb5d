// A service imports FrontlineRuntime alone and gets the shared modules with it.
@_exported import FrontlineCore
@_exported import FrontlineDomain
@_exported import FrontlineStore
@_exported import FrontlineStreams
@_exported import Logging
@_exported import ServiceLifecycle
