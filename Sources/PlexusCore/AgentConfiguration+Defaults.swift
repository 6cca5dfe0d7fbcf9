extension AgentConfiguration {
    /// gmond's default collection groups (`lib/default_conf.h.in`, spec §2.3), plus the CPU
    /// interrupt metrics and Linux's mem_available, which gmond has but doesn't schedule.
    public static let defaultCollectionGroups: [CollectionGroup] = [
        CollectionGroup(collectOnce: true, timeThreshold: 20, metrics: [.init(name: "heartbeat")]),
        CollectionGroup(collectEvery: 60, timeThreshold: 60, metrics: [
            .init(name: "cpu_num", title: "CPU Count"), .init(name: "cpu_speed", title: "CPU Speed"),
            .init(name: "mem_total", title: "Memory Total"), .init(name: "swap_total", title: "Swap Space Total"),
            .init(name: "boottime", title: "Last Boot Time"), .init(name: "machine_type", title: "Machine Type"),
            .init(name: "os_name", title: "Operating System"), .init(name: "os_release", title: "Operating System Release"),
            .init(name: "location", title: "Location"),
        ]),
        CollectionGroup(collectEvery: 20, timeThreshold: 90, metrics: [
            .init(name: "cpu_user", valueThreshold: 1, title: "CPU User"),
            .init(name: "cpu_system", valueThreshold: 1, title: "CPU System"),
            .init(name: "cpu_idle", valueThreshold: 5, title: "CPU Idle"),
            .init(name: "cpu_nice", valueThreshold: 1, title: "CPU Nice"),
            .init(name: "cpu_aidle", valueThreshold: 5, title: "CPU aidle"),
            .init(name: "cpu_wio", valueThreshold: 1, title: "CPU wio"),
            .init(name: "cpu_steal", valueThreshold: 1, title: "CPU steal"),
            .init(name: "cpu_intr", valueThreshold: 1, title: "CPU intr"),
            .init(name: "cpu_sintr", valueThreshold: 1, title: "CPU sintr"),
        ]),
        CollectionGroup(collectEvery: 20, timeThreshold: 90, metrics: [
            .init(name: "load_one", valueThreshold: 1, title: "One Minute Load Average"),
            .init(name: "load_five", valueThreshold: 1, title: "Five Minute Load Average"),
            .init(name: "load_fifteen", valueThreshold: 1, title: "Fifteen Minute Load Average"),
        ]),
        CollectionGroup(collectEvery: 80, timeThreshold: 950, metrics: [
            .init(name: "proc_run", valueThreshold: 1, title: "Total Running Processes"),
            .init(name: "proc_total", valueThreshold: 1, title: "Total Processes"),
        ]),
        CollectionGroup(collectEvery: 40, timeThreshold: 180, metrics: [
            .init(name: "mem_free", valueThreshold: 1024, title: "Free Memory"),
            .init(name: "mem_shared", valueThreshold: 1024, title: "Shared Memory"),
            .init(name: "mem_buffers", valueThreshold: 1024, title: "Memory Buffers"),
            .init(name: "mem_cached", valueThreshold: 1024, title: "Cached Memory"),
            .init(name: "mem_available", valueThreshold: 1024, title: "Available Memory"),
            .init(name: "swap_free", valueThreshold: 1024, title: "Free Swap Space"),
        ]),
        CollectionGroup(collectEvery: 40, timeThreshold: 300, metrics: [
            .init(name: "bytes_out", valueThreshold: 4096, title: "Bytes Sent"),
            .init(name: "bytes_in", valueThreshold: 4096, title: "Bytes Received"),
            .init(name: "pkts_in", valueThreshold: 256, title: "Packets Received"),
            .init(name: "pkts_out", valueThreshold: 256, title: "Packets Sent"),
        ]),
        CollectionGroup(collectEvery: 1800, timeThreshold: 3600, metrics: [
            .init(name: "disk_total", valueThreshold: 1, title: "Total Disk Space"),
        ]),
        CollectionGroup(collectEvery: 40, timeThreshold: 180, metrics: [
            .init(name: "disk_free", valueThreshold: 1, title: "Disk Space Available"),
            .init(name: "part_max_used", valueThreshold: 1, title: "Maximum Disk Space Used"),
        ]),
    ]
}
