import Logging

extension Logger {
    /// A child logger carrying one more metadata value (the hummingbird idiom).
    public func with(metadataKey: String, value: Logger.MetadataValue) -> Logger {
        var logger = self
        logger[metadataKey: metadataKey] = value
        return logger
    }
}
