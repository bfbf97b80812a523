"""Parsing a partner's XML safely: no entity is expanded or fetched, no DTD is loaded, and
nothing past a size limit is parsed (docs/cxml.md, docs/dependencies.md: defusedxml).

The DOCTYPE every cXML document carries (``<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/...">``)
is allowed and ignored: the parser never fetches it. Any ENTITY declaration is refused, which
covers the billion laughs, quadratic blowup and external entities (file and network) alike.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from connectors.cxml.errors import MalformedDocumentError, UnsafeDocumentError

# cXML orders, notices and invoices run to a few hundred kB; a network's largest invoice is a
# few MB. Past this the body is refused before the parser sees it.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def parse(document: bytes, limit: int = MAX_DOCUMENT_BYTES) -> Element:
    """The root element of ``document``, or a refusal saying why it was not parsed."""
    if len(document) > limit:
        raise UnsafeDocumentError(
            "", f"the document is {len(document)} bytes; at most {limit} are read"
        )
    if not document.strip():
        raise MalformedDocumentError("", "the document is empty")
    try:
        root: Element = fromstring(
            document, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as refused:
        raise UnsafeDocumentError("", _unsafe(refused)) from None
    except ParseError as error:
        raise MalformedDocumentError("", f"not well-formed XML: {error}") from None
    return root


def _unsafe(refused: DefusedXmlException) -> str:
    name = getattr(refused, "name", "")
    system = getattr(refused, "sysid", None) or getattr(refused, "system_id", None)
    where = f" (external: {system})" if system else ""
    return f"declares entity {name!r}{where}: entity declarations are refused, none is expanded"
