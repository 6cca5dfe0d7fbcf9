#!/usr/bin/env python3
"""munin_fetch.py HOST PORT SECONDS PLUGIN...: over one connection to munin-node, as munin-update
asks, `config` each plugin once, then `fetch` each once a second for SECONDS; prints the fetches."""
import socket
import sys
import time

host, port, seconds, plugins = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
s = socket.create_connection((host, port), timeout=60)
reader = s.makefile("rb")
reader.readline()  # "# munin node at ..."


def ask(line):
    s.sendall(line.encode() + b"\n")
    while reader.readline().rstrip(b"\n") != b".":
        pass


for plugin in plugins:
    ask("config " + plugin)
fetched = 0
end = time.monotonic() + seconds
while time.monotonic() < end:
    start = time.monotonic()
    for plugin in plugins:
        ask("fetch " + plugin)
        fetched += 1
    time.sleep(max(0, 1 - (time.monotonic() - start)))
s.sendall(b"quit\n")
s.close()
print(fetched)
