/// RRDtool's Holt-Winters forecasting on a metric's archive (`kind = "anomaly"`,
/// `docs/alerts.md`): the HWPREDICT, SEASONAL, DEVSEASONAL, DEVPREDICT and FAILURES archives a
/// file gets so that librrd predicts each value from the level, the trend and the season, and
/// flags the series in FAILURES when at least `threshold` of the last `window` values fell
/// outside the prediction's confidence band (2 deviations, RRDtool's default).
public struct HoltWinters: Sendable, Equatable {
    /// Seconds in one season: a day, the rhythm most operational series have (traffic, batch
    /// jobs, backups).
    public var season: UInt32 = 86400
    /// How fast the level, the trend and the seasonal coefficients follow the data: RRDtool's
    /// own documented example values (alpha 0.1, beta 0.0035); gamma as alpha, RRDtool's default.
    public var alpha = 0.1
    public var beta = 0.0035
    public var gamma = 0.1
    /// RRDtool's defaults: 7 of the last 9 values outside the band make a failure.
    public var window = 9
    public var threshold = 7

    public init() {}

    /// The season in rows of a file with `step` (at least 2).
    public func period(step: Int) -> Int {
        max(2, Int((Double(season) / Double(max(step, 1))).rounded()))
    }

    /// The RRA definitions to add after a file's `existing` RRAs (RRDtool numbers them from 1, in
    /// the order they are defined): HWPREDICT and its dependants, each holding one season.
    public func definitions(step: Int, after existing: Int) -> [String] {
        let period = period(step: step)
        let predict = existing + 1, seasonal = existing + 2, deviations = existing + 3
        return [
            "RRA:HWPREDICT:\(period):\(alpha):\(beta):\(period):\(seasonal)",
            "RRA:SEASONAL:\(period):\(gamma):\(predict)",
            "RRA:DEVSEASONAL:\(period):\(gamma):\(predict)",
            "RRA:DEVPREDICT:\(period):\(deviations)",
            "RRA:FAILURES:\(period):\(threshold):\(window):\(deviations)",
        ]
    }
}
