"""A JSON-RPC client for trytond 8.2: session login, Tryton's typed JSON values, typed errors.

Every model method takes the user's context as its last positional argument; `call_model`
appends it. The password is sent once, to `common.db.login`, and is never logged or kept.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json
import urllib.error
import urllib.request
from decimal import Decimal
from typing import Any, Final

_HTTP_UNAUTHORIZED: Final = 401
_HTTP_FORBIDDEN: Final = 403
# AccessError is a UserError subclass, so the wire names it "UserError"; its messages say this.
_ACCESS_REFUSED: Final = "You are not allowed to"


class TrytonError(Exception):
    """Anything Tryton or the way to it refused."""


class TrytonTransportError(TrytonError, ConnectionError):
    """Tryton could not be reached or did not answer in JSON-RPC: retry later (a
    ConnectionError, so the workers' ResilientLoop takes it as transient)."""


class TrytonAuthenticationError(TrytonError):
    """The login was refused, or the session expired: log in again."""


class TrytonUserError(TrytonError):
    """A business refusal: the ERP's own message, not worth retrying as it is."""

    def __init__(self, message: str, description: str = "") -> None:
        super().__init__(f"{message} - {description}" if description else message)
        self.message = message
        self.description = description


class TrytonAccessError(TrytonUserError):
    """A field or record this user may not change in this state (Tryton's AccessError)."""


class TrytonWarningError(TrytonError):
    """A warning to acknowledge (`res.user.warning` named `name`) before calling again."""

    def __init__(self, name: str, message: str, description: str = "") -> None:
        super().__init__(f"{message} - {description}" if description else message)
        self.name = name
        self.message = message
        self.description = description


class TrytonConcurrencyError(TrytonError):
    """The record changed since its `_timestamp` was read: read it again."""


class TrytonServerError(TrytonError):
    """Any other fault the server reported (a bug, a crash in a module)."""


def encode(value: Any) -> Any:
    """`json.dumps` default: Tryton's typed values as its JSONEncoder writes them."""
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, dt.datetime):  # before date: a datetime is a date
        return {
            "__class__": "datetime", "year": value.year, "month": value.month,
            "day": value.day, "hour": value.hour, "minute": value.minute,
            "second": value.second, "microsecond": value.microsecond,
        }  # fmt: skip
    if isinstance(value, dt.date):
        return {"__class__": "date", "year": value.year, "month": value.month, "day": value.day}
    if isinstance(value, dt.timedelta):
        return {"__class__": "timedelta", "seconds": value.total_seconds()}
    if isinstance(value, bytes):
        return {"__class__": "bytes", "base64": base64.b64encode(value).decode()}
    if isinstance(value, (set, frozenset)):
        return list(value)
    raise TypeError(f"cannot send a {type(value).__name__} to Tryton")


def decode(obj: dict[str, Any]) -> Any:
    """`json.loads` object hook: Tryton's typed values back into Python values."""
    match obj.get("__class__"):
        case "Decimal":
            return Decimal(obj["decimal"])
        case "datetime":
            return dt.datetime(
                obj["year"], obj["month"], obj["day"],
                obj["hour"], obj["minute"], obj["second"], obj["microsecond"],
            )  # fmt: skip
        case "date":
            return dt.date(obj["year"], obj["month"], obj["day"])
        case "time":
            return dt.time(obj["hour"], obj["minute"], obj["second"], obj["microsecond"])
        case "timedelta":
            return dt.timedelta(seconds=float(obj["seconds"]))
        case "bytes":
            return base64.b64decode(obj["base64"])
        case _:
            return obj


def loads(text: bytes | str) -> Any:
    # Floats (Tryton's Float fields: quantities) as exact decimals: no binary rounding.
    return json.loads(text, object_hook=decode, parse_float=Decimal)


def dumps(value: Any) -> bytes:
    return json.dumps(value, default=encode, separators=(",", ":")).encode()


def error_of(error: Any) -> TrytonError:
    """The typed exception for a JSON-RPC `error` member."""
    if isinstance(error, list) and len(error) == 2 and isinstance(error[0], str):
        kind, args = error
        args = args if isinstance(args, list) else [args]
        text = [str(a) if a is not None else "" for a in args]
        if kind == "UserError":
            message, description = [*text, "", ""][:2]
            if message.startswith(_ACCESS_REFUSED):
                return TrytonAccessError(message, description)
            return TrytonUserError(message, description)
        if kind == "UserWarning":
            name, message, description = [*text, "", "", ""][:3]
            return TrytonWarningError(name, message, description)
        if kind == "ConcurrencyException":
            return TrytonConcurrencyError(text[0] if text else kind)
        if kind == "LoginException":
            return TrytonAuthenticationError(f"login needs {text[0] if text else 'more'}")
        # A server fault is (str(exception), traceback): the first line is enough here.
        return TrytonServerError(kind)
    return TrytonServerError(str(error))


class TrytonClient:
    """One session on one database: `login`, then `call` / `call_model`, then `logout`."""

    def __init__(self, url: str, database: str, *, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.database = database
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._authorization = ""
        self.user_id = 0
        self.context: dict[str, Any] = {}

    def __repr__(self) -> str:  # never the session token
        return f"TrytonClient({self.url!r}, {self.database!r})"

    def login(self, user: str, password: str) -> None:
        """Open a session (one password check) and load the user's context."""
        found = self.call("common.db.login", user, {"password": password})
        user_id, token = found[0], found[1]
        self.user_id = int(user_id)
        raw = f"{user}:{user_id}:{token}".encode()
        self._authorization = "Session " + base64.b64encode(raw).decode()
        self.context = self.call_model("res.user", "get_preferences", True)

    def logout(self) -> None:
        if self._authorization:
            try:
                self.call("common.db.logout")
            finally:
                self._authorization = ""

    def call_model(self, model: str, method: str, *args: Any) -> Any:
        """`model.<model>.<method>(*args, context)`."""
        return self.call(f"model.{model}.{method}", *args, self.context)

    def call(self, method: str, *params: Any) -> Any:
        body = dumps({"id": next(self._ids), "method": method, "params": list(params)})
        request = urllib.request.Request(
            f"{self.url}/{self.database}/rpc/", data=body, method="POST",
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        if self._authorization:
            request.add_header("Authorization", self._authorization)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = loads(response.read())
        except urllib.error.HTTPError as error:
            if error.code in (_HTTP_UNAUTHORIZED, _HTTP_FORBIDDEN):
                raise TrytonAuthenticationError(f"{method}: HTTP {error.code}") from None
            raise TrytonTransportError(f"{method}: HTTP {error.code}") from None
        except (OSError, ValueError) as error:  # URLError, timeouts, a non-JSON answer
            raise TrytonTransportError(f"{method}: {error}") from None
        if not isinstance(answer, dict):
            raise TrytonTransportError(f"{method}: not a JSON-RPC answer")
        if answer.get("error") is not None:
            raise error_of(answer["error"])
        return answer.get("result")
