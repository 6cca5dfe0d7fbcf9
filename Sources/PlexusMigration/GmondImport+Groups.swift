extension GmondImport {
    /// gmond's C modules whose metrics the agent's own collectors give.
    static let builtInModules: Set<String> = [
        "core_metrics", "cpu_module", "disk_module", "load_module", "mem_module", "net_module", "proc_module", "sys_module",
    ]

    /// Where Debian's modpython looks for Python modules when no `params` says.
    static let defaultPythonDirectory = "/usr/lib/ganglia/python_modules"

    mutating func modules(_ section: ConfuseSection) throws(MigrationError) {
        for option in section.options { unknown(option, in: "modules") }
        for module in section.sections {
            guard module.name == "module", let name = module.option("name")?.text else {
                leftOut(module, "a module needs a name")
                continue
            }
            let language = module.option("language")?.text.lowercased() ?? "c"
            let enabled = try module.option("enabled")?.bool() ?? true
            switch language {
            case "python":
                try pythonModule(module, name: name, enabled: enabled)
            case _ where Self.builtInModules.contains(name):
                leftOut(module, "\(name): built in (the agent's collectors give its metrics)")
            case _ where name == "python_module":
                leftOut(module, "modpython: Python modules run as [[module]], each in a python3 process of its own")
            case "c", "c/c++":
                leftOut(module, "\(name): C modules can't be loaded here; a [[plugin]] command can report the same metrics (docs/plugins.md)")
            default:
                leftOut(module, "\(name): \(language) modules can't be run here; a [[plugin]] command can (docs/plugins.md)")
            }
        }
    }

    mutating func pythonModule(_ module: ConfuseSection, name: String, enabled: Bool) throws(MigrationError) {
        guard enabled else {
            leftOut(module, "\(name): enabled = no")
            return
        }
        modules += 1
        out.header("[[module]]")
        out.set("name", TOMLText.string(name))
        out.set("language", TOMLText.string("python"))
        out.set(
            "path", TOMLText.string(module.option("path")?.text ?? pythonDirectory ?? Self.defaultPythonDirectory),
            note: pythonDirectory == nil && module.option("path") == nil ? "Debian's python_modules; gmond.conf doesn't say" : nil)
        for option in module.options where !["name", "language", "enabled", "path"].contains(option.name) {
            note(option, option.name == "params" ? "a C module's raw parameter: Python modules get the param sections" : "not a module option")
        }
        let params = module.sections("param")
        guard !params.isEmpty else { return }
        out.header("[module.params]")
        for param in params {
            guard let title = param.title, let value = param.option("value") else {
                leftOut(param, "a param needs a name and a value")
                continue
            }
            out.set(title, TOMLText.string(value.text))
        }
    }

    mutating func collectionGroup(_ section: ConfuseSection) throws(MigrationError) {
        var kept: [ConfuseSection] = []
        var dropped: [(ConfuseSection, String)] = []
        for metric in section.sections {
            guard metric.name == "metric" else {
                dropped.append((metric, "not a collection_group section"))
                continue
            }
            if metric.option("name_match") == nil, let name = metric.option("name")?.text, modules == 0, !knownMetrics.contains(name) {
                dropped.append((metric, "\(name): no collector here gives it (plexus-agent --list-metrics lists those there are)"))
            } else {
                kept.append(metric)
            }
        }
        guard !kept.isEmpty else {
            out.blank()
            out.comment("gmond: collection_group (\(section.place)) left out: none of its metrics is given here")
            for (metric, why) in dropped { leftOut(metric, why) }
            return
        }
        out.header("[[collection_group]]")
        for option in section.options {
            switch option.name {
            case "collect_once": out.set("collect_once", "\(try option.bool())")
            case "collect_every", "time_threshold": out.set(option.name, "\(try option.integer())")
            default: unknown(option, in: "collection_group")
            }
        }
        for (metric, why) in dropped { leftOut(metric, why) }
        for metric in kept {
            out.header("[[collection_group.metric]]")
            let byPattern = metric.option("name_match") != nil
            for option in metric.options {
                switch option.name {
                case "name" where byPattern: note(option, "name_match is set, and gmond uses it")
                case "name", "name_match", "title": out.set(option.name, TOMLText.string(option.text))
                case "value_threshold":
                    let threshold = try option.number()
                    if threshold >= 0 { out.set("value_threshold", TOMLText.number(threshold)) } else { note(option, "negative: never, as without it") }
                default: unknown(option, in: "metric")
                }
            }
        }
    }
}
