import NIOCore
import NIOPosix

/// Finding interfaces by name for `mcast_if`.
enum NetworkInterfaces {
    struct UnknownInterface: Error, CustomStringConvertible {
        var name: String
        var description: String { "no network interface named \(name) with an address of the right family" }
    }

    /// The device named `name` with an address of the wanted family.
    static func device(named name: String, v6: Bool) throws -> NIONetworkDevice {
        let devices = try System.enumerateDevices()
        guard
            let device = devices.first(where: { device in
                guard device.name == name, let address = device.address else { return false }
                if case .v6 = address { return v6 }
                if case .v4 = address { return !v6 }
                return false
            })
        else { throw UnknownInterface(name: name) }
        return device
    }

    static func setMulticastInterface(_ name: String, on channel: any Channel, v6: Bool) async throws {
        let device = try device(named: name, v6: v6)
        guard let provider = channel as? any SocketOptionProvider else { return }
        if v6 {
            try await provider.setIPv6MulticastIF(CUnsignedInt(device.interfaceIndex)).get()
        } else if case .v4(let address) = device.address {
            try await provider.setIPMulticastIF(address.address.sin_addr).get()
        }
    }
}
