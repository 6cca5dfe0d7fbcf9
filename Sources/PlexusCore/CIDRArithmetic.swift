/// Sets of addresses as lists of CIDR blocks: union, difference, intersection, each result
/// disjoint, sorted and with sibling blocks joined (`10.0.0.0/25` and `10.0.0.128/25` are
/// `10.0.0.0/24`). An IPv4-mapped IPv6 block (`::ffff:a.b.c.d/n`, n ≥ 96) is taken as the IPv4
/// block it maps, as `CIDRBlock.contains` takes such addresses. Used for `deny` lists and for
/// gmond's ordered ACLs (`docs/configuration.md`).
public enum CIDRArithmetic {
    /// Every IPv4 and every IPv6 address.
    public static let everything = [CIDRBlock("0.0.0.0/0")!, CIDRBlock("::/0")!]

    public static func union(_ blocks: [CIDRBlock]) -> [CIDRBlock] {
        Bits.merged(blocks.map(Bits.init)).compactMap(\.block)
    }

    public static func subtracting(_ blocks: [CIDRBlock], _ removed: [CIDRBlock]) -> [CIDRBlock] {
        var kept = blocks.map(Bits.init)
        for block in removed.map(Bits.init) { kept = kept.flatMap { $0.subtracting(block) } }
        return Bits.merged(kept).compactMap(\.block)
    }

    public static func intersecting(_ blocks: [CIDRBlock], _ other: CIDRBlock) -> [CIDRBlock] {
        let other = Bits(other)
        return Bits.merged(blocks.map(Bits.init).compactMap { $0.intersection(other) }).compactMap(\.block)
    }

    /// A block as its leading bits: 4 bytes (IPv4) or 16 (IPv6).
    struct Bits: Equatable {
        var bytes: [UInt8]
        var prefix: Int

        init(bytes: [UInt8], prefix: Int) {
            self.bytes = bytes
            self.prefix = prefix
            for i in 0..<self.bytes.count {
                let bits = min(8, max(0, prefix - i * 8))
                self.bytes[i] &= bits == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            }
        }

        init(_ block: CIDRBlock) {
            let bytes = block.network.bytes
            if bytes.count == 16, block.prefixLength >= 96, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
                self.init(bytes: Array(bytes[12...]), prefix: block.prefixLength - 96)
            } else {
                self.init(bytes: bytes, prefix: block.prefixLength)
            }
        }

        var block: CIDRBlock? { IPAddress(bytes: bytes).flatMap { CIDRBlock("\($0)/\(prefix)") } }

        func contains(_ other: Bits) -> Bool {
            bytes.count == other.bytes.count && prefix <= other.prefix && Bits(bytes: other.bytes, prefix: prefix) == self
        }

        func intersection(_ other: Bits) -> Bits? {
            if contains(other) { return other }
            return other.contains(self) ? self : nil
        }

        /// This block without `other`: the siblings along the path down to it.
        func subtracting(_ other: Bits) -> [Bits] {
            if other.contains(self) { return [] }
            guard contains(other) else { return [self] }
            return (prefix..<other.prefix).map { length in
                var sibling = Bits(bytes: other.bytes, prefix: length + 1)
                sibling.bytes[length / 8] ^= 0x80 >> UInt8(length % 8)
                return sibling
            }
        }

        static func merged(_ blocks: [Bits]) -> [Bits] {
            var kept: [Bits] = []
            for b in blocks where !kept.contains(where: { $0.contains(b) }) {
                kept.removeAll { b.contains($0) }
                kept.append(b)
            }
            // Join siblings until none are left: each join leaves one block fewer.
            var joined = true
            while joined {
                joined = false
                for i in kept.indices where kept[i].prefix > 0 {
                    let parent = Bits(bytes: kept[i].bytes, prefix: kept[i].prefix - 1)
                    if let j = kept.indices.first(where: { $0 != i && kept[$0].prefix == kept[i].prefix && parent.contains(kept[$0]) }) {
                        kept.remove(at: max(i, j))
                        kept.remove(at: min(i, j))
                        kept.removeAll { parent.contains($0) }
                        kept.append(parent)
                        joined = true
                        break
                    }
                }
            }
            return kept.sorted { a, b in
                if a.bytes.count != b.bytes.count { return a.bytes.count < b.bytes.count }
                if a.bytes != b.bytes { return a.bytes.lexicographicallyPrecedes(b.bytes) }
                return a.prefix < b.prefix
            }
        }
    }
}
