import PlexusCollectors
import PlexusCore
import Testing

@testable import PlexusPlugins

/// The pipe protocol with the Python host, and gmond's descriptors read as mod_python reads them.
@Suite struct ModuleProtocolTests {
    @Test func fieldsSurviveTabsNewlinesAndBackslashes() {
        let fields = ["V", "name\twith tab", "a\nb\\c\r"]
        let line = ModuleProtocol.line(fields)
        #expect(line.filter { $0 == "\n" }.count == 1 && line.hasSuffix("\n"))
        #expect(ModuleProtocol.message(Substring(line.dropLast())) == .value(name: "name\twith tab", value: "a\nb\\c\r"))
        #expect(ModuleProtocol.start(params: ["b": "2", "a": "1"]) == "P\ta\t1\nP\tb\t2\nINIT\n")
        #expect(ModuleProtocol.message("END") == .end)
        #expect(ModuleProtocol.message("X\tm\tZeroDivisionError: division by zero") == .callbackFailed(name: "m", error: "ZeroDivisionError: division by zero"))
        #expect(ModuleProtocol.message("E\tmetric_init failed") == .moduleFailed("metric_init failed"))
        #expect(ModuleProtocol.message("hello from a module's print") == nil)
        #expect(ModuleProtocol.message("V\tonly-two") == nil)
    }

    static func descriptor(_ name: String, type: String, slope: String = "both", format: String = "%u", groups: String = "example")
        -> ModuleProtocol.Descriptor
    {
        ModuleProtocol.Descriptor(
            name: name, valueType: type, units: "N", slope: slope, format: format, timeMax: "90", description: "Example", groups: groups,
            title: "")
    }

    @Test func descriptorsBecomeDefinitionsAsInGmond() throws {
        let d = try ModuleProtocol.definition(Self.descriptor("Random_Numbers", type: "uint"), dmax: 0, group: nil).get()
        #expect(d.name == "Random_Numbers" && d.type == .uint32 && d.units == "N" && d.slope == .both && d.tmax == 90)
        #expect(d.format == "%u" && d.group == "example" && d.description == "Example")
        let counter = try ModuleProtocol.definition(Self.descriptor("bytes", type: "double", slope: "positive", format: ""), dmax: 600, group: "net").get()
        #expect(counter.slope == .positive && counter.format == "%.15g" && counter.group == "net" && counter.dmax == 600)
        #expect(throws: ModuleProtocol.ModuleError.self) { try ModuleProtocol.definition(Self.descriptor("x", type: "complex"), dmax: 0, group: nil).get() }
        #expect(throws: ModuleProtocol.ModuleError.self) { try ModuleProtocol.definition(Self.descriptor("a/b", type: "uint"), dmax: 0, group: nil).get() }
    }

    @Test func valuesAreTypedByTheirDescriptor() {
        #expect(ModuleProtocol.value("42", as: .uint32) == .uint(42))
        #expect(ModuleProtocol.value("42.0", as: .uint32) == .uint(42))  // Python's float for an int metric
        #expect(ModuleProtocol.value("-1", as: .uint32) == nil)
        #expect(ModuleProtocol.value("True", as: .int32) == .int(1))
        #expect(ModuleProtocol.value("0.25", as: .float) == .float(0.25))
        #expect(ModuleProtocol.value("nan", as: .double) == nil)
        #expect(ModuleProtocol.value(" up ", as: .string) == .string(" up "))
    }

    @Test func aCollectionKeepsEachCallbacksValueAndReportsTheOnesThatRaised() {
        var interpreter = PluginInterpreter(.init(plugin: "example", maxMetrics: 10))
        let descriptors = [Self.descriptor("good", type: "uint"), Self.descriptor("bad", type: "float"), Self.descriptor("odd", type: "uint")]
        let reading = interpreter.module(
            descriptors: descriptors,
            replies: [.value(name: "good", value: "7"), .callbackFailed(name: "bad", error: "ValueError: no"), .value(name: "odd", value: "many")],
            now: 0)
        #expect(reading.metrics.map(\.definition.name) == ["good", "bad", "odd"])
        #expect(reading.metrics.map(\.value) == [.uint(7), nil, nil])
        #expect(reading.problems == ["bad: call_back raised ValueError: no", "odd: \"many\" is not a uint32"])
    }
}
