"""CONTRL -> a FunctionalAck: what the partner made of our interchange.

UCI names the interchange (0020, our UNB reference) with its action (0083) and error (0085);
each UCM a message (0062 our UNH reference, S009 its type) with its own, and the UCS / UCD
under it the segment and element in error; UCF a group's. 0083 (ISO 9735): 4 this level and
all lower levels rejected, 7 acknowledged, 8 received.
"""

from __future__ import annotations

from connectors.edi.edifact.fields import EDIFACT
from connectors.edi.edifact.interchange import Message
from connectors.edi.translation import (
    AcknowledgedSet,
    AckResult,
    FunctionalAck,
    Place,
    Translation,
    first,
    places,
)

_ACTIONS = {"4": AckResult.REJECTED, "7": AckResult.ACCEPTED, "8": AckResult.RECEIVED}


def translate_contrl(document: Message, _profile: object = None) -> Translation:
    rows = list(places(EDIFACT, document.segments, document.position))
    uci = first(rows, "UCI")
    reference = uci.required("UCI 0020", 1)
    result = _action(uci, 4, "UCI 0083")
    errors = [f"UCI 0085 {uci.segment.get(5)}"] if uci.segment.get(5) else []
    sets: list[AcknowledgedSet] = []
    opened: Place | None = None
    found: list[str] = []
    for row in [*rows[2:], None]:
        tag = row.segment.tag if row is not None else ""
        if tag in ("UCS", "UCD") and row is not None and opened is not None:
            found.append(f"{tag} " + " ".join(v for v in row.segment.values() if v))
            continue
        if opened is not None:
            sets.append(
                AcknowledgedSet(
                    opened.segment.get(2, 1),
                    opened.required("UCM 0062", 1),
                    _action(opened, 3, "UCM 0083"),
                    tuple(found),
                )
            )
            opened, found = None, []
        if row is not None and tag == "UCM":
            opened = row
            if row.segment.get(4):
                found.append(f"UCM 0085 {row.segment.get(4)}")
        elif row is not None and tag == "UCF" and row.segment.get(4):
            errors.append(f"UCF {row.segment.get(1)} 0085 {row.segment.get(4)}")
    acknowledgment = FunctionalAck(EDIFACT, reference, result, tuple(sets), tuple(errors))
    return Translation(EDIFACT, "CONTRL", document.reference, document.position, (), acknowledgment)


def _action(row: Place, position: int, element: str) -> AckResult:
    code = row.required(element, position)
    try:
        return _ACTIONS[code]
    except KeyError:
        raise row.fail(element, f"{code!r} is not an action code of ISO 9735 (4, 7, 8)") from None
