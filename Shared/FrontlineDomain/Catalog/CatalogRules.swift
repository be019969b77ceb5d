extension ServiceCatalog {
    /// What makes the catalog unusable, one line each; empty when it can replace the one in use.
    /// Every door that replaces the catalog (a seed file, the API, an import) asks this.
    public var problems: [String] {
        var problems: [String] = []
        if categories.isEmpty { problems.append("the catalog needs at least one category") }
        var categoryNames = Set<String>()
        for category in categories {
            let name = category.name.trimmingCharacters(in: .whitespaces)
            if name.isEmpty { problems.append("a category has no name") }
            if !categoryNames.insert(name.lowercased()).inserted { problems.append("category \(name) appears twice") }
            if category.requestTypes.isEmpty { problems.append("category \(name) has no request type") }
            var typeNames = Set<String>()
            for type in category.requestTypes {
                let typeName = type.name.trimmingCharacters(in: .whitespaces)
                if typeName.isEmpty { problems.append("a request type of \(name) has no name") }
                if !typeNames.insert(typeName.lowercased()).inserted { problems.append("request type \(name) / \(typeName) appears twice") }
                let sla = type.sla
                if !(sla.firstResponseHours > 0) || !(sla.resolutionHours > 0) || !sla.firstResponseHours.isFinite || !sla.resolutionHours.isFinite {
                    problems.append("\(name) / \(typeName): SLA hours must be positive")
                } else if sla.firstResponseHours > sla.resolutionHours {
                    problems.append("\(name) / \(typeName): the first response is due after the resolution")
                }
            }
        }
        return problems
    }
}
