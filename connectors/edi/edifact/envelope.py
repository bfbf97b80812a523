"""EDIFACT envelopes: UNB/UNZ and UNH/UNT around messages, with the caller's references."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from connectors.edi.edifact.syntax import Syntax
from connectors.edi.errors import UnwritableValueError
from connectors.edi.segment import Segment

# Message type version and release (0052:0054) per directory we write.
DIRECTORIES = {"D96A": ("D", "96A"), "D01B": ("D", "01B")}


@dataclass(frozen=True, slots=True)
class EdifactEnvelope:
    sender_id: str
    sender_qualifier: str
    recipient_id: str
    recipient_qualifier: str
    interchange_reference: str  # UNB 0020, an..14
    prepared: datetime
    test: bool = False


def message(
    kind: str, directory: str, reference: str, body: Sequence[Segment], association: str = ""
) -> list[Segment]:
    """UNH, the body, and a UNT that counts them; ``directory`` is D96A or D01B."""
    if directory not in DIRECTORIES:
        raise UnwritableValueError(
            "EDIFACT", "UNH", None, f"directory {directory!r} is not D96A or D01B", "0054"
        )
    _check_reference(reference, "UNH", "0062")
    version, release = DIRECTORIES[directory]
    identifier = [kind, version, release, "UN"] + ([association] if association else [])
    return [
        Segment.of("UNH", reference, identifier),
        *body,
        Segment.of("UNT", str(len(body) + 2), reference),
    ]


def enclose(
    messages: Sequence[Sequence[Segment]], envelope: EdifactEnvelope, syntax: Syntax
) -> list[Segment]:
    """UNB..UNZ around ``messages``; the UNB declares ``syntax``'s character set."""
    reference = envelope.interchange_reference
    _check_reference(reference, "UNB", "0020")
    when = envelope.prepared
    # Syntax version 4 dates have the century; earlier ones are YYMMDD.
    date = when.strftime("%Y%m%d" if syntax.version >= "4" else "%y%m%d")
    unb = Segment.of(
        "UNB",
        [syntax.charset, syntax.version],
        [envelope.sender_id, envelope.sender_qualifier],
        [envelope.recipient_id, envelope.recipient_qualifier],
        [date, when.strftime("%H%M")],
        reference,
        "",
        "",
        "",
        "",
        "",
        "1" if envelope.test else "",  # 0035 test indicator
    )
    body = [segment for each in messages for segment in each]
    return [unb, *body, Segment.of("UNZ", str(len(messages)), reference)]


def _check_reference(value: str, tag: str, element: str) -> None:
    if not 1 <= len(value) <= 14:
        raise UnwritableValueError(
            "EDIFACT", tag, None, f"{tag} {element} {value!r} is not 1 to 14 characters", element
        )
