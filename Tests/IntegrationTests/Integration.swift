import Testing

/// Every integration suite nests here and runs one test at a time: they start processes and
/// measure their exits, which a 2-core machine does badly while other suites run.
@Suite(.serialized) enum Integration {}
