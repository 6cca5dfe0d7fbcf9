#!/usr/bin/env python3
"""Graphs and pages of an aggregator whose events journal is long (scripts/bench events).

usage: events.py BASE-URL GRAPHS
Prints: the median time of one graph asked again and again (the picture cache answers after
the first), the wall time of GRAPHS different graphs asked at once, and the slowest
/api/v1/clusters answered while they were drawn.
"""
import statistics, sys, threading, time, urllib.request

base, count = sys.argv[1], int(sys.argv[2])
graph = base + "/graph.png?cluster=web&host=web-1&metric=load_one&range=hour"

def fetch(url):
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=120) as answer:
        answer.read()
        assert answer.status == 200, (url, answer.status)
    return time.monotonic() - started

fetch(graph)
same = [fetch(graph) for _ in range(20)]
print(f"one graph, asked 20 times: median {statistics.median(same) * 1000:.1f} ms")

slowest = [0.0]
done = threading.Event()
def pages():
    while not done.is_set():
        slowest[0] = max(slowest[0], fetch(base + "/api/v1/clusters"))
        time.sleep(0.05)
watcher = threading.Thread(target=pages)
watcher.start()
started = time.monotonic()
threads = [threading.Thread(target=fetch, args=(graph + f"&width={400 + i}",)) for i in range(count)]
for t in threads: t.start()
for t in threads: t.join()
wall = time.monotonic() - started
done.set()
watcher.join()
print(f"{count} different graphs at once: {wall:.2f} s; slowest /api/v1/clusters meanwhile: {slowest[0] * 1000:.0f} ms")
