"""A loopback HTTP(S) server for the probe tests: /ok -> 200, /fail -> 500, /slow -> never
answers within a test (120 s). Usage: probe_server.py [CERTFILE KEYFILE]. Listens on a free port and prints
"ready PORT" once listening."""
import http.server
import os
import ssl
import sys
import threading
import time


def exit_with_parent(parent):
    """Stop when the test process that started us is gone, even if it crashed."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/slow"):
            time.sleep(120)
        code = 500 if self.path.startswith("/fail") else 200
        body = b"hello\n"
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
if len(sys.argv) == 3:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[1], sys.argv[2])
    server.socket = context.wrap_socket(server.socket, server_side=True)
threading.Thread(target=exit_with_parent, args=(os.getppid(),), daemon=True).start()
print(f"ready {server.server_address[1]}", flush=True)
server.serve_forever()
