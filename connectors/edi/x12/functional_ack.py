"""997 Functional Acknowledgment -> a FunctionalAck: what the partner made of our group.

AK1 names the group (AK102, our GS06); each AK2 a set (AK201 code, AK202 our ST02) with its
AK3 segment and AK4 element errors and its AK5 verdict (717); AK9 the group's verdict (715).
"""

from __future__ import annotations

from connectors.edi.translation import (
    AcknowledgedSet,
    AckResult,
    FunctionalAck,
    Place,
    Translation,
    first,
    places,
)
from connectors.edi.x12.interchange import TransactionSet

X12 = "X12"
# 717 (AK501) and 715 (AK901), X12 004010: A accepted; E accepted, errors noted; P partially
# accepted (715 only); M, R, W, X rejected (authentication, syntax, assurance, decryption).
_RESULTS = {
    "A": AckResult.ACCEPTED,
    "E": AckResult.ACCEPTED_WITH_ERRORS,
    "P": AckResult.PARTIALLY_ACCEPTED,
    "M": AckResult.REJECTED,
    "R": AckResult.REJECTED,
    "W": AckResult.REJECTED,
    "X": AckResult.REJECTED,
}


def translate_997(document: TransactionSet, _profile: object = None) -> Translation:
    rows = list(places(X12, document.segments, document.position))
    ak1 = first(rows, "AK1")
    reference = ak1.required("AK102", 2)
    sets: list[AcknowledgedSet] = []
    opened: tuple[str, str] | None = None
    errors: list[str] = []
    for row in rows:
        tag = row.segment.tag
        if tag == "AK2":
            opened, errors = (row.required("AK201", 1), row.required("AK202", 2)), []
        elif tag in ("AK3", "AK4") and opened is not None:
            errors.append(f"{tag} " + " ".join(v for v in row.segment.values() if v))
        elif tag == "AK5":
            if opened is None:
                raise row.fail("AK501", "answers no AK2")
            result = _result(row, "AK501")
            codes = [v for v in row.segment.values()[1:] if v]
            sets.append(AcknowledgedSet(*opened, result, tuple(errors + codes)))
            opened = None
    ak9 = first(rows, "AK9")
    group_errors = tuple(v for v in ak9.segment.values()[4:] if v)
    acknowledgment = FunctionalAck(X12, reference, _result(ak9, "AK901"), tuple(sets), group_errors)
    return Translation(X12, "997", document.control, document.position, (), acknowledgment)


def _result(row: Place, element: str) -> AckResult:
    code = row.required(element, 1)
    try:
        return _RESULTS[code]
    except KeyError:
        known = ", ".join(_RESULTS)
        rule = f"{code!r} is not in X12 {element[:3]} codes (known: {known})"
        raise row.fail(element, rule) from None
