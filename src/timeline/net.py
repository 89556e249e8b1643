"""What `push` and the remote readers share: where a store is, credentials, URL checks,
retries with backoff.

Connection errors, time-outs and 5xx answers are retried, waiting `backoff` seconds and then
twice as long each time; a 4xx answer is the caller's to report (wrong URL, credentials).

Light to import (httpx is imported where a request is made): every reading command asks
whether its source is a `Remote`.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from timeline.errors import TimelineError
from timeline.progress import Progress, quiet

if TYPE_CHECKING:
    import httpx

ENDPOINT_ENV = "TIMELINE_ENDPOINT"
TOKEN_ENV = "TIMELINE_STORE_TOKEN"
USER_ENV = "TIMELINE_STORE_USER"
PASSWORD_ENV = "TIMELINE_STORE_PASSWORD"

_UNPRINTABLE = re.compile(r"[^\x20-\x7e\u00a0-\uffff]+")
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
"""An absolute IRI, as a named graph must be."""


@dataclass(frozen=True)
class Credentials:
    """A bearer token, or a user name and password (HTTP basic); both None means anonymous."""

    token: str | None = None
    user: str | None = None
    password: str | None = None

    @classmethod
    def resolve(
        cls,
        token: str | None = None,
        user: str | None = None,
        password: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Credentials:
        """Options first, then TIMELINE_STORE_TOKEN, or TIMELINE_STORE_USER and _PASSWORD."""
        env = os.environ if env is None else env
        token = token or env.get(TOKEN_ENV) or None
        user = user or env.get(USER_ENV) or None
        password = password or env.get(PASSWORD_ENV) or None
        if token:
            return cls(token=token)
        if user and not password:
            raise TimelineError(f"a user name needs a password: set {PASSWORD_ENV} (or --password)")
        if password and not user:
            raise TimelineError(f"a password needs a user name: set {USER_ENV} (or --user)")
        return cls(user=user, password=password)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def auth(self) -> httpx.BasicAuth | None:
        import httpx

        if self.user and self.password:
            return httpx.BasicAuth(self.user, self.password)
        return None


@dataclass(frozen=True)
class Remote:
    """A store to read from (`timeline.remote`): its SPARQL query URL, the graph to read,
    credentials and patience."""

    url: str
    graph: str | None = None
    credentials: Credentials = field(default_factory=Credentials)
    timeout: float = 30.0
    retries: int = 2
    backoff: float = 0.5


CREDENTIALS_HINT = f"check the credentials ({TOKEN_ENV}, or {USER_ENV} and {PASSWORD_ENV})"


def clean(text: str, limit: int = 200) -> str:
    """A server's answer, safe to print: one line, no control characters, bounded."""
    flat = " ".join(_UNPRINTABLE.sub(" ", text).split())
    return flat if len(flat) <= limit else flat[:limit] + "..."


def http_url(endpoint: str, example: str, error: type[TimelineError]) -> httpx.URL:
    """`endpoint` as an http(s) URL, or `error` saying how to write one."""
    import httpx

    try:
        url = httpx.URL(endpoint)
    except (httpx.InvalidURL, TypeError) as exc:
        raise error(f"endpoint '{clean(endpoint)}' is not a URL ({exc})") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise error(f"endpoint '{clean(endpoint)}' is not an http(s) URL; write e.g. {example}")
    return url


def shown(url: httpx.URL | str) -> str:
    """The URL without any user name or password in it, for messages."""
    import httpx

    return str(httpx.URL(url).copy_with(username=None, password=None))


class Unreachable(TimelineError):
    """Every attempt failed with a connection error, a time-out or a 5xx answer."""

    def __init__(self, reason: str, attempts: int) -> None:
        self.reason, self.attempts = reason, attempts
        super().__init__(reason)

    @property
    def tries(self) -> str:
        return f"{self.attempts} attempt{'s' if self.attempts != 1 else ''}"


def send(
    client: httpx.Client,
    method: str,
    url: httpx.URL,
    *,
    retries: int,
    backoff: float,
    what: str,
    progress: Progress = quiet,
    sleep: Callable[[float], None] = time.sleep,
    **request: Any,
) -> tuple[httpx.Response, int]:
    """The first answer below 500 and the number of attempts it took; `Unreachable` once
    `retries` retries have failed too. `what` names the step for the progress line."""
    import httpx

    if retries < 0 or backoff < 0:
        raise TimelineError("--retries and --backoff cannot be negative")
    timeout = client.timeout.read
    reason = ""
    for attempt in range(1, retries + 2):
        progress(what + (f" (attempt {attempt})" if attempt > 1 else ""))
        try:
            response = client.request(method, url, **request)
        except httpx.ConnectError as exc:
            reason = f"could not connect ({clean(str(exc)) or 'connection refused'})"
        except httpx.TimeoutException:
            reason = f"no answer within {timeout:g} s"
        except httpx.TransportError as exc:
            reason = f"the connection failed ({clean(str(exc)) or type(exc).__name__})"
        else:
            if response.status_code < 500:
                return response, attempt
            reason = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
            response.close()
        if attempt <= retries:
            sleep(backoff * 2 ** (attempt - 1))
    raise Unreachable(reason, retries + 1)
