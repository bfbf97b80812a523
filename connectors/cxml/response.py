"""The cXML ``Response`` the hub answers a partner's request with, and which status a
refusal is: 200 OK, 400 naming the element, 401, 403, 406, 409 (a payloadID reused with
other content), 500 only for a fault of the hub's own."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from xml.etree.ElementTree import Element, SubElement, tostring

from domain.errors import (
    DomainError,
    ForbiddenError,
    IdempotencyKeyReusedError,
)
from domain.outcome import Outcome

VERSION = "1.2.050"
TEXTS = {
    200: "OK",
    201: "Accepted",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    406: "Not Acceptable",
    409: "Conflict",
    500: "Internal Server Error",
}


def status_of(results: Sequence[Outcome | DomainError]) -> tuple[int, str]:
    """The request's status from its commands' results: the first refusal's, else 200."""
    for result in results:
        if isinstance(result, IdempotencyKeyReusedError):
            return 409, "this payloadID was already used for another document"
        if isinstance(result, ForbiddenError):
            return 403, str(result)
        if isinstance(result, DomainError):
            return 400, str(result)
    return 200, ""


def response_document(code: int, detail: str, payload_id: str, at: datetime) -> bytes:
    root = Element("cXML", {"payloadID": payload_id, "timestamp": at.isoformat()})
    root.set("xml:lang", "en-US")
    status = SubElement(SubElement(root, "Response"), "Status")
    status.set("code", str(code))
    status.set("text", TEXTS.get(code, "Bad Request" if code < 500 else TEXTS[500]))
    status.text = detail or None
    body: bytes = tostring(root, encoding="utf-8", xml_declaration=False)
    return PROLOGUE + body


PROLOGUE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/'
    + VERSION.encode()
    + b'/cXML.dtd">\n'
)
