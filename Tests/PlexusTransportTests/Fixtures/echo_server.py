"""A loopback HTTP server for HTTPExchange's tests. Every method answers with what it received:
"METHOD TARGET", the headers, a blank line, the body. /status/N answers status N, /big/N a
body of N bytes, /slow nothing within a test (120 s), /hangup closes without an answer, /peer
the client's port (one connection or several), /close answers and closes the connection.
Usage: echo_server.py. Listens on a free port and prints "ready PORT" once listening."""
import http.server
import os
import sys
import threading
import time


def exit_with_parent(parent):
    """Stop when the test process that started us is gone, even if it crashed."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith("/slow"):
            time.sleep(120)
        if self.path.startswith("/hangup"):
            self.close_connection = True
            self.connection.close()
            return
        code = int(self.path.split("/")[2]) if self.path.startswith("/status/") else 200
        if self.path.startswith("/peer"):
            text = str(self.client_address[1]).encode()
        elif self.path.startswith("/close"):
            self.close_connection = True
            text = b"bye"
        elif self.path.startswith("/big/"):
            text = b"x" * int(self.path.split("/")[2])
        else:
            lines = [f"{self.command} {self.path}"] + [f"{k}: {v}" for k, v in self.headers.items()]
            text = ("\n".join(lines) + "\n\n").encode() + body
        self.send_response(code)
        self.send_header("Content-Length", str(len(text)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(text)

    do_GET = do_POST = do_DELETE = do_PUT = answer

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=exit_with_parent, args=(os.getppid(),), daemon=True).start()
print(f"ready {server.server_address[1]}", flush=True)
server.serve_forever()
