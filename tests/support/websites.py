"""Fixture websites on 127.0.0.1 for the website checker: every request they receive is recorded.

``Site(routes)`` serves ``{path: Route}`` (a path with its query); anything else is a 404.  A
route's body may be a callable (path -> bytes) for endless or generated pages, ``hang`` seconds
makes it answer late, and ``trickle`` streams a huge body.  ``tls=True`` serves HTTPS with a
self-signed certificate for 127.0.0.1 made in the test (``cryptography``, else the ``openssl``
command), whose file ``Site.cafile`` makes it trusted.
"""

from __future__ import annotations

import datetime as dt
import shutil
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable


@dataclass
class Route:
    body: bytes | str | Callable[[str], bytes] = b""
    status: int = 200
    headers: dict | None = None
    content_type: str = "text/html; charset=utf-8"
    hang: float = 0.0           # seconds before answering
    size: int = 0               # a generated body of this many bytes (sent in pieces)


def html(body: str, head: str = "") -> str:
    return f"<!doctype html><html><head><title>t</title>{head}</head><body>{body}</body></html>"


@dataclass
class Request:
    method: str
    path: str
    user_agent: str
    host: str


class Site:
    def __init__(self, routes: dict[str, Route], tls: bool = False, cert_dir: Path | None = None):
        self.routes = routes
        self.requests: list[Request] = []
        self.cafile: str | None = None
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _record(self):
                site.requests.append(Request(self.command, self.path, self.headers.get("User-Agent", ""),
                                             self.headers.get("Host", "")))

            def do_POST(self):
                self._record()
                self.send_error(405)

            def do_GET(self):
                self._record()
                route = site.routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route.hang:
                    time.sleep(route.hang)
                body = route.body(self.path) if callable(route.body) else route.body
                body = body.encode() if isinstance(body, str) else body
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                for name, value in (route.headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(route.size or len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    if route.size:
                        piece = b"<p>" + b"x" * 65530 + b"</p>"
                        for _ in range(route.size // len(piece)):
                            self.wfile.write(piece)
                    else:
                        self.wfile.write(body)
                except OSError:
                    pass     # the checker stopped reading: expected for a huge body

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls:
            cert, key = self_signed(cert_dir)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.cafile = str(cert)
        self.port = self.server.server_address[1]
        self.scheme = "https" if tls else "http"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/") -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 valid 30 days, and its key (PEM files in ``folder``)."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / "cert.pem", folder / "key.pem"
    try:
        import ipaddress

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        if not shutil.which("openssl"):
            import pytest
            pytest.skip("neither the cryptography package nor the openssl command is installed")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "30", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
        return cert, key
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(private.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
                   .not_valid_after(now + dt.timedelta(days=30))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(private, hashes.SHA256()))
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return cert, key
