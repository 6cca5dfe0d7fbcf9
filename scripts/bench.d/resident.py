#!/usr/bin/env python3
"""resident.py PID BINARY [TOP]: which parts of a running program's own file are resident.

Reads /proc/PID/maps and /proc/PID/pagemap (root) for the pages of BINARY's mappings that are
present, and attributes each to the symbols of BINARY (an unstripped copy: `nm`) that fall in it,
grouped by where the code comes from: the Swift module of a mangled name ($s<len><Module>...),
ICU (icu_ / u_ / ucol_ ...), BoringSSL, libc++/libstdc++, C code. Prints KiB per group, largest first.
"""
import bisect
import os
import re
import struct
import subprocess
import sys
from collections import Counter

pid, binary = int(sys.argv[1]), sys.argv[2]
top = int(sys.argv[3]) if len(sys.argv) > 3 else 25
page = os.sysconf("SC_PAGE_SIZE")

symbols = []
for line in subprocess.run(["nm", "--defined-only", "-n", binary], capture_output=True, text=True).stdout.splitlines():
    parts = line.split()
    if len(parts) == 3:
        symbols.append((int(parts[0], 16), parts[2]))
symbols.sort()
addresses = [a for a, _ in symbols]

# Allocated sections by link-time address, to say which section each present page is in.
sections = []
for line in subprocess.run(["readelf", "-S", "-W", binary], capture_output=True, text=True).stdout.splitlines():
    m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]{16})\s+[0-9a-f]+\s+([0-9a-f]+)\s+\S+\s+(\S*A\S*)\s", line)
    if m and int(m.group(2), 16):
        sections.append((int(m.group(2), 16), int(m.group(2), 16) + int(m.group(3), 16), m.group(1)))
sections.sort()


def section(link):
    i = bisect.bisect_right([s for s, _, _ in sections], link) - 1
    if i >= 0 and link < sections[i][1]:
        return sections[i][2]
    return "(between sections)"


def group(name):
    m = re.match(r"_?\$s(\d+)([A-Za-z_][A-Za-z0-9_]*)", name)
    if m:
        n = int(m.group(1))
        return m.group(2)[:n]
    if name.startswith(("_ZN6icu_", "u_", "ucol_", "ubrk_", "ucal_", "udat_", "unum_", "uloc_", "ures_", "ucnv_", "utrans_", "uregex_")) or "icu_" in name:
        return "(ICU)"
    if name.startswith(("CNIOBoringSSL", "boringssl", "CCryptoBoringSSL")) or "BoringSSL" in name:
        return "(BoringSSL)"
    if name.startswith(("_ZNSt", "_ZSt", "_ZNKSt", "_ZN9__gnu", "_ZNK9__gnu")):
        return "(C++ standard library)"
    if name.startswith("_ZN4toml") or "toml" in name:
        return "(toml++)"
    if name.startswith("swift_") or name.startswith("_swift"):
        return "(Swift runtime)"
    return "(other C)"


# The binary's load address: the first mapping of the file with offset 0.
maps = []
with open(f"/proc/{pid}/maps") as f:
    for line in f:
        parts = line.split()
        if len(parts) >= 6 and os.path.realpath(parts[5]) == os.path.realpath(sys.argv[4] if len(sys.argv) > 4 else binary):
            start, end = (int(x, 16) for x in parts[0].split("-"))
            maps.append((start, end, int(parts[2], 16), parts[1]))
if not maps:
    sys.exit("no mapping of the binary in /proc/%d/maps" % pid)
base = min(s - off for s, _, off, _ in maps)
# nm addresses are link-time virtual addresses; a PIE links at 0.
resident = Counter()
total = Counter()
detail = Counter()
by_section = Counter()
with open(f"/proc/{pid}/pagemap", "rb") as pm:
    for start, end, offset, perm in maps:
        for vaddr in range(start, end, page):
            pm.seek(vaddr // page * 8)
            entry = struct.unpack("<Q", pm.read(8))[0]
            if not entry >> 63 & 1:
                continue
            link = vaddr - base
            by_section[section(link)] += page // 1024
            i = bisect.bisect_right(addresses, link) - 1
            j = bisect.bisect_left(addresses, link + page)
            names = [symbols[k][1] for k in range(max(i, 0), max(j, i + 1))]
            groups = Counter(group(n) for n in names) or Counter({"(no symbol)": 1})
            owner = groups.most_common(1)[0][0]
            if owner == "(other C)" and os.environ.get("RESIDENT_DETAIL"):
                detail[names[0] if names else "?"] += page // 1024
            resident[(perm, owner)] += page // 1024
            total[perm] += page // 1024
for perm in sorted(total):
    print(f"{perm}: {total[perm]} KiB resident")
for name, kib in by_section.most_common():
    print(f"{kib:8d} KiB in section {name}")
for (perm, owner), kib in resident.most_common(top):
    print(f"{kib:8d} KiB {perm} {owner}")
for name, kib in detail.most_common(top):
    print(f"  {kib:8d} KiB in {name}")
