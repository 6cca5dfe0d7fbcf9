#!/usr/bin/env python3
# The aggregator benchmark's source: serves one gmond XML file on several loopback ports (one
# per aggregator polled, so polls are counted per poller), with the CLUSTER's LOCALTIME set to
# the current second on every connection (so RRD updates advance, as with a live gmond).
# Usage: xml-source.py FILE STATSFILE PORT... ; STATSFILE gets "port connections" lines.
import re, socket, sys, threading, time

path, stats_path = sys.argv[1], sys.argv[2]
ports = [int(p) for p in sys.argv[3:]]
data = open(path, 'rb').read()
m = re.search(rb'<CLUSTER NAME="[^"]*" LOCALTIME="(\d+)"', data)
head, tail = data[:m.start(1)], data[m.end(1):]
counts = {p: 0 for p in ports}
lock = threading.Lock()

def send(conn):
    try:
        conn.sendall(head + str(int(time.time())).encode() + tail)
    except OSError:
        pass
    finally:
        conn.close()

def serve(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', port))
    s.listen(64)
    while True:
        conn, _ = s.accept()
        with lock:
            counts[port] += 1
        threading.Thread(target=send, args=(conn,), daemon=True).start()

for p in ports:
    threading.Thread(target=serve, args=(p,), daemon=True).start()
while True:
    time.sleep(0.5)
    with lock:
        text = ''.join(f'{p} {counts[p]}\n' for p in ports)
    with open(stats_path + '.tmp', 'w') as f:
        f.write(text)
    import os
    os.replace(stats_path + '.tmp', stats_path)
