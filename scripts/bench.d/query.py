"""Times a request line on an interactive (query) port N times; prints bytes, best and median
milliseconds. Usage: query.py HOST PORT RUNS LINE"""
import socket
import statistics
import sys
import time

host, port, runs, line = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
times, data = [], b""
for _ in range(runs):
    start = time.perf_counter()
    with socket.create_connection((host, port), timeout=30) as s:
        s.sendall(line.encode() + b"\n")
        chunks = []
        while True:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    times.append((time.perf_counter() - start) * 1000)
    data = b"".join(chunks)
print(f"{len(data)} {min(times):.2f} {statistics.median(times):.2f}")
