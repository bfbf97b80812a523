"""Hostile XML is refused before anything in it is read: entity bombs, external entities
(file and network), oversized documents, invalid UTF-8; each with a reason, nothing translated."""

from __future__ import annotations

import pytest
from cxml_samples import PROFILE, confirmation, envelope

from connectors.cxml.errors import MalformedDocumentError, UnsafeDocumentError
from connectors.cxml.safe_xml import parse
from connectors.cxml.translate import translate

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE cXML [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<cXML payloadID="&lol9;"/>"""

QUADRATIC = (
    b'<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY a "'
    + b"x" * 50_000
    + b'">]><cXML>'
    + b"&a;" * 5_000
    + b"</cXML>"
)


def external(system: str) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE cXML [<!ENTITY leak SYSTEM "{system}">]>
<cXML payloadID="&leak;"/>""".encode()


def test_an_entity_expansion_bomb_is_refused_naming_the_entity() -> None:
    with pytest.raises(UnsafeDocumentError, match="declares entity 'lol'"):
        parse(BILLION_LAUGHS)


def test_a_quadratic_blowup_is_refused_before_any_expansion() -> None:
    with pytest.raises(UnsafeDocumentError, match="entity declarations are refused"):
        parse(QUADRATIC)


@pytest.mark.parametrize("system", ["file:///etc/passwd", "http://127.0.0.1:9/leak.dtd"])
def test_an_external_entity_is_refused_and_never_fetched(system: str) -> None:
    with pytest.raises(UnsafeDocumentError, match=f"external: {system}"):
        parse(external(system))


def test_an_external_parameter_entity_in_the_doctype_is_refused() -> None:
    document = b"""<?xml version="1.0"?>
<!DOCTYPE cXML [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]><cXML/>"""
    with pytest.raises(UnsafeDocumentError, match=r"external: http://127\.0\.0\.1:9/evil\.dtd"):
        parse(document)


def test_a_document_past_the_limit_is_refused_before_it_is_parsed() -> None:
    document = envelope(confirmation()) + b" " * 1024
    with pytest.raises(UnsafeDocumentError, match=r"bytes; at most 1024 are read"):
        parse(document, limit=1024)


def test_invalid_utf8_is_refused_as_not_well_formed() -> None:
    document = envelope(confirmation()).replace(b"PO-77", b"PO-\xff\xfe", 1)
    with pytest.raises(MalformedDocumentError, match="not well-formed XML"):
        translate(document, PROFILE)


def test_the_cxml_doctype_is_read_without_fetching_its_dtd() -> None:
    root = parse(envelope(confirmation()))  # its DOCTYPE names http://xml.cxml.org/...
    assert root.tag == "cXML"
