#!/usr/bin/env python3
"""Prints the sum of the plugin_*_runs metrics in an agent's XML (host:port)."""
import re
import socket
import sys

data = b""
with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30) as s:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
print(sum(int(v) for v in re.findall(rb'<METRIC NAME="plugin_[^"]*_runs" VAL="(\d+)"', data)))
