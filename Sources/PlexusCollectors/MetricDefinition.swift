import PlexusCore

/// What a built-in metric is: the metadata gmond's module announces for it and the format its
/// values are sent with.
public struct MetricDefinition: Sendable, Equatable {
    public var name: String
    public var type: MetricType
    public var units: String
    public var slope: Slope
    /// TMAX as gmond's module table has it (not the collection group's threshold).
    public var tmax: UInt32
    /// printf-style format sent with values (`%.2f`...).
    public var format: String
    /// GROUP extra data.
    public var group: String
    /// DESC extra data.
    public var description: String
    /// DMAX: seconds after which receivers forget the metric when no value comes (0: never,
    /// the built-in metrics' choice, as gmond's).
    public var dmax: UInt32 = 0

    public init(
        _ name: String, _ type: MetricType, units: String, slope: Slope, tmax: UInt32, format: String,
        group: String, description: String
    ) {
        self.name = name
        self.type = type
        self.units = units
        self.slope = slope
        self.tmax = tmax
        self.format = format
        self.group = group
        self.description = description
    }

    /// The metadata message body, with extra data in gmond's wire order (TITLE, DESC, GROUP).
    public func metadata(title: String?) -> MetricMetadata {
        MetricMetadata(
            name: name, type: type, units: units, slope: slope, tmax: tmax, dmax: dmax,
            extraData: [
                ExtraElement(name: ExtraElement.Key.title, value: title ?? name),
                ExtraElement(name: ExtraElement.Key.description, value: description),
                ExtraElement(name: ExtraElement.Key.group, value: group),
            ])
    }
}
