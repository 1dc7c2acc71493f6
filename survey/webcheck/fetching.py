"""One polite HTTP GET at a time: the tool's user agent, a pause between requests, a deadline
per request (connecting and reading the whole body), a size limit on bodies, no redirects
followed here (the crawler decides each one), no proxies, no cookies, never a form sent.

HTTPS is checked with the system's certificates (or ``cafile``); a certificate that does not
verify is recorded and the site is then read without verification, so its evidence is still
collected.
"""

from __future__ import annotations

import datetime as dt
import http.client
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

USER_AGENT = "survey.webcheck/1.0 (e-government website evidence; polite: robots.txt, 1 request at a time)"
MAX_BYTES = 2_000_000
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class Response:
    url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    elapsed_ms: int | None = None
    error: str | None = None          # what went wrong, for the snapshot's errors
    truncated: bool = False
    certificate: dict | None = None   # {"valid": bool, "days_left": int | None} on HTTPS

    @property
    def is_html(self) -> bool:
        return self.headers.get("content-type", "").split(";")[0].strip().lower() in HTML_TYPES

    @property
    def location(self) -> str | None:
        return self.headers.get("location") if self.status in (301, 302, 303, 307, 308) else None

    def text(self) -> str:
        charset = "utf-8"
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset":
                charset = value.strip().strip('"') or charset
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


def _days_left(cert: dict | None, der: bytes | None) -> int | None:
    try:
        if cert and cert.get("notAfter"):
            expires = dt.datetime.fromtimestamp(ssl.cert_time_to_seconds(cert["notAfter"]), dt.timezone.utc)
        elif der:
            from cryptography import x509  # optional: the expiry of a certificate that did not verify
            expires = x509.load_der_x509_certificate(der).not_valid_after_utc
        else:
            return None
    except Exception:
        return None
    return (expires - dt.datetime.now(dt.timezone.utc)).days


class Fetcher:
    """GETs with the limits of one check; ``requests`` counts what was sent (for tests and reports)."""

    def __init__(self, timeout: float = 10.0, delay: float = 1.0, max_bytes: int = MAX_BYTES,
                 cafile: str | None = None, user_agent: str = USER_AGENT):
        self.timeout, self.delay, self.max_bytes, self.user_agent = timeout, delay, max_bytes, user_agent
        self.verified = ssl.create_default_context(cafile=cafile)
        self.unverified = ssl._create_unverified_context()
        self.insecure_hosts: set[str] = set()    # certificates that failed: read without verifying
        self.requests = 0
        self._last = 0.0

    def _wait(self) -> None:
        pause = self._last + self.delay - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        self._last = time.monotonic()

    def get(self, url: str, read_body: bool = True) -> Response:
        """GET ``url``; the body only when ``read_body`` (or the type is HTML), up to ``max_bytes``."""
        parts = urlsplit(url)
        response = Response(url)
        self._wait()
        self.requests += 1
        start = time.monotonic()
        deadline = start + self.timeout
        host = parts.hostname or ""
        conn = reply = None
        try:
            if parts.scheme == "https":
                context = self.unverified if host in self.insecure_hosts else self.verified
                try:
                    conn = self._connect(parts, context)
                except ssl.SSLCertVerificationError as exc:
                    response.certificate = {"valid": False, "days_left": None, "reason": exc.verify_message}
                    self.insecure_hosts.add(host)
                    context = self.unverified
                    conn = self._connect(parts, context)
                sock = conn.sock
                if response.certificate is None:
                    response.certificate = {"valid": context is self.verified, "days_left": None}
                response.certificate["days_left"] = _days_left(sock.getpeercert() or None,
                                                               sock.getpeercert(binary_form=True))
            else:
                conn = self._connect(parts, None)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.putrequest("GET", path, skip_accept_encoding=True)
            for name, value in (("User-Agent", self.user_agent), ("Accept", "text/html,*/*;q=0.5"),
                                ("Accept-Encoding", "identity"), ("Connection", "close")):
                conn.putheader(name, value)
            conn.endheaders()
            sock = conn.sock       # getresponse() hands it to the reply (conn.sock becomes None)
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            reply = conn.getresponse()
            response.status = reply.status
            response.headers = {k.lower(): v[:2000] for k, v in reply.getheaders()[:100]}
            if read_body or response.is_html:
                response.body, response.truncated = self._read(sock, reply, deadline)
        except (socket.timeout, TimeoutError):
            response.error = f"{url}: no answer within {self.timeout:g} s (timed out)"
        except (OSError, http.client.HTTPException, ValueError) as exc:
            response.error = f"{url}: {type(exc).__name__}: {exc}"[:500]
        finally:
            for part in (reply, conn):
                if part is not None:
                    part.close()
        response.elapsed_ms = round((time.monotonic() - start) * 1000)
        if response.truncated:
            response.error = f"{url}: body over the size limit ({self.max_bytes:,} bytes); the rest was not read"
        return response

    def _connect(self, parts, context):
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if context is None:
            conn = http.client.HTTPConnection(parts.hostname, port, timeout=self.timeout)
        else:
            conn = http.client.HTTPSConnection(parts.hostname, port, timeout=self.timeout, context=context)
        conn.connect()
        return conn

    def _read(self, sock, reply, deadline: float) -> tuple[bytes, bool]:
        """The body up to max_bytes, within the request's deadline (a page that trickles times out)."""
        chunks, size = [], 0
        while size <= self.max_bytes:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            sock.settimeout(remaining)
            chunk = reply.read1(min(65536, self.max_bytes + 1 - size))
            if not chunk:
                return b"".join(chunks), False
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)[:self.max_bytes], True
