"""An SAP Gateway (OData V2) client: basic auth, the session cookie, the CSRF token, SAP's
error envelope as typed exceptions, retries with backoff and jitter, `Retry-After` honoured.

What the adapter asks of it is small: read a collection (following `__next`, SAP's
server-driven paging), read one entity (with its ETag), create one, and post an IDoc. What
to do with each answer is here, once:

- 403 with `x-csrf-token: Required`: the token (and its session) is fetched again, and the
  call made once more;
- 401: the session expired: cookies and token dropped, the call made once more with the
  credentials; a second 401 is `SapAuthenticationError`;
- 500, 502, 504, a timeout, refused: retried here with exponential backoff and jitter
  (`retries` times), then `SapUnavailableError`; a write that got no answer is not resent
  here (it may have landed): `SapUnavailableError` at once, and the write-back, which reads
  SAP first, tries again;
- 503: the same, waiting at least its `Retry-After`; one beyond `max_wait_seconds` is
  `SapBusyError` at once, carrying it;
- 412: `SapPreconditionError`: the entity changed since it was read (the caller reads it
  again);
- any other 4xx (423 locked, 400, 404, 409): `SapRefusedError` with SAP's code and message,
  a business refusal.

The password is kept in the client (SAP checks it on each new session) and never logged or
shown by `repr()`.
"""

from __future__ import annotations

import base64
import http.cookiejar
import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

ODATA: Final = "/sap/opu/odata/sap"
IDOC: Final = "/sap/bc/idoc"
TOKEN_SERVICE: Final = "API_PURCHASEORDER_PROCESS_SRV"
_TRANSIENT_STATUSES: Final = frozenset({500, 502, 503, 504})
_CSRF_REQUIRED: Final = "required"


class SapError(Exception):
    """Anything SAP or the way to it refused."""


class SapUnavailableError(SapError, ConnectionError):
    """SAP could not be reached or kept failing: retry later (a ConnectionError, so the
    workers' ResilientLoop takes it as transient)."""


class SapBusyError(SapUnavailableError):
    """SAP asked to be left alone for `retry_after` seconds (503 with `Retry-After`)."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SapAuthenticationError(SapError):
    """The credentials were refused on a fresh session. Not transient: retrying a wrong
    password would lock the SAP user at its failed-logon limit; the worker stops (exit 1)."""


class SapRefusedError(SapError):
    """A business refusal, with SAP's own code and message (`{"error":{"code","message"}}`)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{message} ({code}, HTTP {status})" if code else message)
        self.status = status
        self.code = code
        self.message = message


class SapPreconditionError(SapRefusedError):
    """412: the entity was changed after it was read (a stale ETag)."""


@dataclass(frozen=True)
class Entity:
    """One entity as read: its properties and its ETag (`__metadata.etag`, else the header)."""

    data: Mapping[str, Any]
    etag: str | None


@dataclass(frozen=True)
class Retry:
    """How many times a transient answer is retried in one call, and how long to wait:
    exponential from `initial_seconds`, capped at `max_seconds`, drawn in its upper half
    (jitter); never less than the server's `Retry-After`, which is honoured up to
    `max_wait_seconds` (beyond it the call gives up at once: the loop waits instead)."""

    retries: int = 3
    initial_seconds: float = 0.5
    max_seconds: float = 8.0
    max_wait_seconds: float = 60.0

    def delay(self, attempt: int, retry_after: float, draw: Callable[[], float]) -> float:
        ceiling = min(self.max_seconds, self.initial_seconds * 2.0 ** max(0, attempt - 1))
        return max(retry_after, ceiling * (0.5 + draw() / 2))


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes


class SapClient:
    """One SAP system: `root` is the server root (`http://host:8000`), `sap_client` the
    SAP client (mandant) or "" for the system's default."""

    def __init__(
        self,
        root: str,
        user: str = "",
        password: str = "",
        *,
        sap_client: str = "",
        timeout: float = 30.0,
        retry: Retry = Retry(),
        sleep: Callable[[float], None] = time.sleep,
        draw: Callable[[], float] = random.random,
    ) -> None:
        self.root = root.rstrip("/")
        self.user = user
        self.sap_client = sap_client
        self.timeout = timeout
        self.retry = retry
        self.sleep = sleep
        self.draw = draw
        self.__password = password
        self._token: str | None = None
        self._cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self._cookies)
        )
        self.renewals = {"csrf": 0, "session": 0}  # for the log and the tests
        self._metadata: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"SapClient({self.root!r}, user={self.user!r})"

    # --- reading ---------------------------------------------------------------------------

    def collection(
        self, service: str, entity_set: str, params: Mapping[str, str], *, page_size: int = 500
    ) -> Iterator[Mapping[str, Any]]:
        """Every entity of a query, a page at a time. SAP pages on its own (a `__next` link
        carrying `$skiptoken`), which is followed as given; a server that does not page
        (mock-sap never does) is paged with `$top`/`$skip` in the query's `$orderby`."""
        query = {**params, "$format": "json", "$top": str(page_size)}
        url: str | None = self._url(service, entity_set, query)
        skip = 0
        while url is not None:
            found = self._json(self._call("GET", url))
            page = found.get("results", [])
            yield from page
            if found.get("__next"):
                url = str(found["__next"])
            elif len(page) == page_size:
                skip += page_size
                url = self._url(service, entity_set, {**query, "$skip": str(skip)})
            else:
                url = None

    def entity(self, service: str, path: str, params: Mapping[str, str] | None = None) -> Entity:
        answer = self._call("GET", self._url(service, path, {**(params or {}), "$format": "json"}))
        data = self._json(answer)
        etag = (data.get("__metadata") or {}).get("etag") or answer.headers.get("etag")
        return Entity(data, etag)

    def metadata(self, service: str) -> str:
        """The service's `$metadata` (EDMX, XML)."""
        return self._call("GET", self._url(service, "$metadata", {})).body.decode(
            "utf-8", "replace"
        )

    # --- writing ---------------------------------------------------------------------------

    def create(self, service: str, entity_set: str, body: Mapping[str, Any]) -> Mapping[str, Any]:
        answer = self._call("POST", self._url(service, entity_set, {}), _json_body(body))
        return self._json(answer)

    def post_idoc(self, xml: str) -> Mapping[str, Any]:
        """An inbound IDoc (XML); returns its status record (`DOCNUM`, `STATUS`, ...)."""
        query = {"sap-client": self.sap_client} if self.sap_client else {}
        url = f"{self.root}{IDOC}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        headers = {"Content-Type": "application/xml", "Accept": "application/json"}
        answer = self._call("POST", url, xml.encode(), headers)
        found: Mapping[str, Any] = json.loads(answer.body)
        return found

    # --- the wire --------------------------------------------------------------------------

    def _url(self, service: str, path: str, query: Mapping[str, str]) -> str:
        if self.sap_client:
            query = {**query, "sap-client": self.sap_client}
        encoded = urllib.parse.urlencode(query, quote_via=urllib.parse.quote, safe="$,'()/")
        return f"{self.root}{ODATA}/{service}/{path}" + (f"?{encoded}" if encoded else "")

    def _call(
        self, method: str, url: str, body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> _Answer:  # fmt: skip
        """One call, with the token, session and transient retries handled (module doc)."""
        modifying = method != "GET"
        renewed_csrf = renewed_session = False
        attempt = 0
        while True:
            if modifying and self._token is None:
                self._fetch_token(url)
            answer = self._send(method, url, body, headers or {}, modifying)
            if answer is None and modifying:  # it may have landed: the caller reads first
                raise SapUnavailableError(f"SAP did not answer the {method} in time")
            if answer is None or answer.status in _TRANSIENT_STATUSES:
                attempt += 1
                self._wait_or_give_up(attempt, answer)
                continue
            if answer.status < 400:
                return answer
            if answer.status == 403 and _csrf_refused(answer) and not renewed_csrf:
                renewed_csrf, self._token = True, None
                self.renewals["csrf"] += 1
                continue
            if answer.status == 401 and not renewed_session:
                renewed_session = True
                self._new_session()
                continue
            raise _refusal(answer)

    def _send(
        self, method: str, url: str, body: bytes | None, headers: Mapping[str, str],
        modifying: bool,
    ) -> _Answer | None:  # fmt: skip
        """The answer, or None when SAP could not be reached or did not answer in time."""
        request = urllib.request.Request(url, data=body, method=method)
        request.add_header("Accept", "application/json")
        request.add_header("DataServiceVersion", "2.0")
        if self.user:
            credentials = f"{self.user}:{self.__password}".encode()
            request.add_header("Authorization", "Basic " + base64.b64encode(credentials).decode())
        if modifying:
            request.add_header("X-CSRF-Token", self._token or "")
        if body is not None and "Content-Type" not in headers:
            request.add_header("Content-Type", "application/json")
        for name, value in headers.items():
            request.add_header(name, value)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return _Answer(response.status, _lower(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return _Answer(error.code, _lower(error.headers), error.read())
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError):
            return None

    def _fetch_token(self, url: str) -> None:
        """`X-CSRF-Token: Fetch` on a GET of the service root; the token belongs to the
        session cookie that comes with it (both kept)."""
        service_root = url.split("?")[0]
        if ODATA in service_root:
            head, rest = service_root.split(ODATA + "/", 1)
            service_root = f"{head}{ODATA}/{rest.split('/')[0]}/"
        else:  # an IDoc: the token of any service's session will do
            service_root = f"{self.root}{ODATA}/{TOKEN_SERVICE}/"
        for attempt in range(1, self.retry.retries + 2):
            answer = self._send("GET", service_root, None, {"X-CSRF-Token": "Fetch"}, False)
            if answer is not None and answer.status < 400:
                self._token = answer.headers.get("x-csrf-token") or ""
                return
            if answer is not None and answer.status not in _TRANSIENT_STATUSES:
                raise _refusal(answer)
            self._wait_or_give_up(attempt, answer)

    def _new_session(self) -> None:
        self._cookies.clear()
        self._token = None
        self.renewals["session"] += 1

    def _wait_or_give_up(self, attempt: int, answer: _Answer | None) -> None:
        retry_after = _retry_after(answer)
        why = _describe(answer)
        if retry_after > self.retry.max_wait_seconds:
            raise SapBusyError(f"SAP is busy: {why}; retry after {retry_after:g} s", retry_after)
        if attempt > self.retry.retries:
            if retry_after:
                raise SapBusyError(f"SAP is busy: {why}", retry_after)
            raise SapUnavailableError(f"SAP unavailable after {attempt} attempts: {why}")
        self.sleep(self.retry.delay(attempt, retry_after, self.draw))

    @staticmethod
    def _json(answer: _Answer) -> Mapping[str, Any]:
        try:
            found = json.loads(answer.body)
        except ValueError:
            raise SapUnavailableError(f"SAP answered HTTP {answer.status} without JSON") from None
        data: Mapping[str, Any] = found.get("d", found) if isinstance(found, dict) else {}
        return data


def _json_body(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def _lower(headers: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in (headers.items() if headers else ())}


def _csrf_refused(answer: _Answer) -> bool:
    return answer.headers.get("x-csrf-token", "").lower() == _CSRF_REQUIRED or (
        "CSRF token validation failed" in error_of(answer.body)[1]
    )


def _retry_after(answer: _Answer | None) -> float:
    if answer is None:
        return 0.0
    try:
        return max(0.0, float(answer.headers.get("retry-after", "0")))
    except ValueError:  # an HTTP date: SAP sends seconds, so take the plain retry
        return 0.0


def _describe(answer: _Answer | None) -> str:
    if answer is None:
        return "unreachable or no answer in time"
    code, message = error_of(answer.body)
    return f"HTTP {answer.status} {message} ({code})" if code else f"HTTP {answer.status}"


def error_of(body: bytes) -> tuple[str, str]:
    """SAP's error envelope, `{"error":{"code":..,"message":{"lang":..,"value":..}}}`, as
    (code, message); ("", the body's start) for anything else."""
    try:
        found = json.loads(body)
        error = found["error"]
        message = error.get("message")
        text = message.get("value") if isinstance(message, dict) else message
        return str(error.get("code") or ""), str(text or "")
    except (ValueError, KeyError, TypeError, AttributeError):
        return "", body[:200].decode("utf-8", "replace")


def _refusal(answer: _Answer) -> SapError:
    code, message = error_of(answer.body)
    if answer.status == 401:
        return SapAuthenticationError(f"SAP refused the credentials: {message or 'HTTP 401'}")
    kind = SapPreconditionError if answer.status == 412 else SapRefusedError
    return kind(answer.status, code, message or f"HTTP {answer.status}")
