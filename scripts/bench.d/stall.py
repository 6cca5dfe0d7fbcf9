#!/usr/bin/env python3
"""scripts/bench hostile: N clients that connect to 127.0.0.1:PORT (from 127.0.0.10 on, ten
per address), never read (a 4 KiB receive buffer), and hold on for SECONDS. A connect that the
server doesn't accept within 2 s is given up, and connecting stops after SECONDS. Prints how
many connected, and how many the server had closed by the end."""
import select, socket, sys, time

port, count, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
held = []
start = time.monotonic()
for i in range(count):
    if time.monotonic() - start > seconds:
        break
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(2)
    try:
        s.bind(("127.0.0.%d" % (10 + i // 10), 0))
        s.connect(("127.0.0.1", port))
        held.append(s)
    except OSError:
        s.close()
time.sleep(max(0, seconds - (time.monotonic() - start)))
closed = 0
for s in held:
    # Closed by the server: readable, and reading to the end finds EOF (or a reset).
    try:
        s.setblocking(False)
        while True:
            data = s.recv(1 << 16)
            if not data:
                closed += 1
                break
    except BlockingIOError:
        pass
    except OSError:
        closed += 1
    s.close()
print(len(held), closed)
