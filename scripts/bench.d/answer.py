#!/usr/bin/env python3
# A stand-in query port for the CLI benchmark: reads each client's request line, answers with
# FILE's bytes, closes. Usage: answer.py PORT FILE
import socket, sys

port, data = int(sys.argv[1]), open(sys.argv[2], 'rb').read()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', port))
s.listen(16)
while True:
    conn, _ = s.accept()
    with conn:
        request = b''
        while b'\n' not in request:
            chunk = conn.recv(4096)
            if not chunk:
                break
            request += chunk
        conn.sendall(data)
