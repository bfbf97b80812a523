"""Who a kept payload is from and to, read from its first bytes alone: an X12 ISA's sender
and receiver ids (ISA06, ISA08), an EDIFACT UNB's (S002, S003), a cXML header's From and To
credential identities. What the payload index (storage/payload_index.py) notes per payload,
so the console counts each partner's traffic without opening the payloads."""

from __future__ import annotations

import re

_CXML_PARTY = {
    side: re.compile(
        rf"<{side}\b[^>]*>\s*<Credential\b[^>]*>\s*<Identity\b[^>]*>([^<]*)</Identity>".encode()
    )
    for side in ("From", "To")
}


def payload_parties(head: bytes) -> tuple[str, str] | None:
    """(sender id, receiver id), or None for a payload that is none of these (an
    acknowledgement we wrote is an interchange too, and is counted as traffic out)."""
    text = head.lstrip().decode("latin-1")
    if text.startswith("ISA") and len(text) > 4:
        fields = text.split(text[3])
        return (fields[6].strip(), fields[8].strip()) if len(fields) > 8 else None
    if text.startswith("UNA"):
        text = text[9:].lstrip()
    if text.startswith("UNB"):
        fields = text.split("+")
        if len(fields) > 3:
            return fields[2].split(":")[0], fields[3].split(":")[0]
        return None
    if text.startswith("<") and "<cXML" in text:
        found = [_CXML_PARTY[side].search(head) for side in ("From", "To")]
        if found[0] and found[1]:
            return found[0].group(1).decode().strip(), found[1].group(1).decode().strip()
    return None
