"""A webhook receiver on 127.0.0.1: an HTTP server in a thread whose answers a test scripts."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """An HTTP server in a thread answering POSTs by script: "ok", "500", "slow" (longer than the
    client's timeout), "redirect"; every request kept (headers, body)."""

    def __init__(self):
        self.script: list[str] = []
        self.seen: list[tuple[dict, bytes]] = []
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.seen.append((dict(self.headers), body))
                mode = receiver.script.pop(0) if receiver.script else "ok"
                if mode == "slow":
                    receiver.release.wait(5)  # the client gave up long before
                    return
                if mode == "redirect":
                    self.send_response(307)
                    self.send_header("Location", "file:///etc/passwd")
                    self.end_headers()
                    return
                self.send_response(500 if mode == "500" else 200)
                self.end_headers()
                self.wfile.write(b"x" * (1 << 20))  # a big body: read only so far

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
