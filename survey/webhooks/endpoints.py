"""The registered endpoints: one JSON file, only its owner's (it holds the secrets)."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from survey.store.durable import replace_with_json

EVENTS = (
    "submission.created", "submission.revised", "submission.status_changed", "submission.inbox", "export.created",
)
FOLDER = "webhooks"
FILE = "endpoints.json"
MAX_URL = 2000


class EndpointError(ValueError):
    """A URL, event list or endpoint id that cannot be used; the message names what is wrong."""


@dataclass(frozen=True)
class Endpoint:
    id: str
    url: str
    events: tuple[str, ...]
    secret: str
    questionnaire: str | None = None  # None: every questionnaire
    include_record: bool = False  # the de-identified record in the body
    created: str = ""  # ISO UTC; events older than this are not sent to it

    def wants(self, event: dict) -> bool:
        if event.get("type") not in self.events or event.get("time", "") < self.created:
            return False
        return self.questionnaire is None or event.get("questionnaire") == self.questionnaire


def check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > MAX_URL:
        raise EndpointError("the URL must start with http:// or https:// and name a host")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise EndpointError("the URL must not contain spaces or control characters")
    return url


def folder(root: str | Path) -> Path:
    return Path(root) / FOLDER


def private_dir(path: Path) -> Path:
    """`path` made if missing, only its owner's (0700), as the webhooks folder above it: events
    may carry records, endpoints.json the secrets."""
    if path.name != FOLDER:
        private_dir(path.parent)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    path.mkdir(mode=0o700, exist_ok=True)
    return path


class Endpoints:
    """The endpoints of the data folder `root`."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.path = folder(root) / FILE

    def list(self) -> list[Endpoint]:
        try:
            raw = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return []
        return [Endpoint(**{**item, "events": tuple(item["events"])}) for item in raw]

    def get(self, endpoint_id: str) -> Endpoint:
        for endpoint in self.list():
            if endpoint.id == endpoint_id:
                return endpoint
        raise EndpointError(f"no endpoint {endpoint_id}")

    def add(self, url: str, events: list[str] | tuple[str, ...], questionnaire: str | None = None,
            include_record: bool = False, now: dt.datetime | None = None) -> Endpoint:
        """Register an endpoint; its new secret is in the returned Endpoint (shown once on the page)."""
        events = tuple(e for e in EVENTS if e in set(events))
        if not events:
            raise EndpointError("choose at least one event")
        when = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
        endpoint = Endpoint(id=uuid.uuid4().hex[:12], url=check_url(url), events=events,
                            secret=secrets.token_hex(32), questionnaire=questionnaire or None,
                            include_record=bool(include_record), created=when.isoformat())
        self._save([*self.list(), endpoint])
        return endpoint

    def remove(self, endpoint_id: str) -> None:
        self._save([e for e in self.list() if e.id != endpoint_id])

    def _save(self, endpoints: list[Endpoint]) -> None:
        private_dir(folder(self.root))
        replace_with_json(self.path, [{**asdict(e), "events": list(e.events)} for e in endpoints], mode=0o600)
