extension AgentConfiguration {
    /// gmond's default collection groups (gmond 3.7's `lib/default_conf.h.in`) plus the CPU
    /// interrupt metrics and Linux's mem_available, which gmond has but doesn't schedule.
    ///
    /// Read from `defaultTOML`, so the printed default file is the one source of truth
    /// (`AgentConfigurationTests` checks the groups hold every default metric).
    public static let defaultCollectionGroups: [CollectionGroup] = {
        guard var root = try? ConfigTable.parse(defaultTOML, file: "built-in defaults"),
            let tables = try? root.tables("collection_group")
        else { return [] }
        return tables.compactMap { try? readCollectionGroup($0) }
    }()
}
