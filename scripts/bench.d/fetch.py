"""Times fetching a gmond-style XML port N times; prints bytes, best and median milliseconds,
and how many METRIC elements the last document had (optionally only names with a prefix).
Usage: fetch.py HOST PORT RUNS [PREFIX]"""
import socket
import statistics
import sys
import time


def timed(host, port, runs, request=b""):
    """Connects RUNS times, sends `request` (if any), reads to EOF; the times in ms and the last reply."""
    times, data = [], b""
    for _ in range(runs):
        start = time.perf_counter()
        with socket.create_connection((host, port), timeout=30) as s:
            if request:
                s.sendall(request)
            chunks = []
            while True:
                chunk = s.recv(1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        times.append((time.perf_counter() - start) * 1000)
        data = b"".join(chunks)
    return times, data


if __name__ == "__main__":
    host, port, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    prefix = sys.argv[4].encode() if len(sys.argv) > 4 else b""
    times, data = timed(host, port, runs)
    metrics = data.count(b'<METRIC NAME="' + prefix)
    print(f"{len(data)} {min(times):.1f} {statistics.median(times):.1f} {metrics}")
