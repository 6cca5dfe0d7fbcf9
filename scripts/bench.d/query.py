"""Times a request line on an interactive (query) port N times; prints bytes, best and median
milliseconds. Usage: query.py HOST PORT RUNS LINE"""
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fetch import timed  # noqa: E402

host, port, runs, line = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
times, data = timed(host, port, runs, line.encode() + b"\n")
print(f"{len(data)} {min(times):.2f} {statistics.median(times):.2f}")
