"""X12 code lists the translators need, element by element.

668 Line Item Status Code (855 ACK01, also SN1/ACK in 856 and 865), as published for X12
004030 and later (Stedi, https://www.stedi.com/edi/x12-004030/element/668, and X12 008020,
https://edi.stedi.com/x12-008020/element/668; 004010 and 005010 use the same codes, the
R1-R8 rejections from 004030 on):

    AC Item Accepted and Shipped              IA Item Accepted
    AR Item Accepted and Released for Shipment IB Item Backordered
    BP Item Accepted - Partial Shipment, Balance Backordered
    DR Item Accepted - Date Rescheduled       IC Item Accepted - Changes Made
    IP Item Accepted - Price Changed          IQ Item Accepted - Quantity Changed
    IS Item Accepted - Substitution Made      ID Item Deleted
    IF Item on Hold, Incomplete Description   IH Item on Hold
    IW Item on Hold-Waiver Required           IR Item Rejected
    R1-R8 Item Rejected, <reason> (not a contract item, invalid product number, invalid unit
          of issue, contract item not available, reorder as JIT / EDO / drop ship / surge)

Left out on purpose, so they are refused rather than guessed: AA (accepted, forwarded to an
alternate supplier location), IE (accepted, price pending) and SP (accepted, schedule date
pending) do not say whether the line stands as ordered; a partner that sends them maps them
in its profile (connectors/gateway/, issue 13).
"""

from __future__ import annotations

from domain.acknowledgement import AckCodes, AckStatus

_A, _C, _R, _P = (
    AckStatus.ACCEPTED,
    AckStatus.ACCEPTED_WITH_CHANGES,
    AckStatus.REJECTED,
    AckStatus.PENDING,
)

# fmt: off
LINE_ITEM_STATUS = AckCodes("x12", {
    "IA": _A, "AC": _A, "AR": _A,
    "IC": _C, "IP": _C, "IQ": _C, "DR": _C, "IS": _C, "IB": _C, "BP": _C,
    "IR": _R, "ID": _R,
    "R1": _R, "R2": _R, "R3": _R, "R4": _R, "R5": _R, "R6": _R, "R7": _R, "R8": _R,
    # On hold: the seller has not decided yet (IF was mapped to "accepted with changes").
    "IH": _P, "IF": _P, "IW": _P,
})
# fmt: on

# 587 Acknowledgment Type (855 BAK02), X12 004010 (https://www.stedi.com/edi/x12-004010/element/587):
# the whole order's answer, which a line without its own ACK takes. AE lists exceptions only,
# so a line it does not list stands as ordered. AP (product replenishment) and ZZ (mutually
# defined) say nothing about acceptance: a partner that sends them maps them in its profile.
# fmt: off
ACKNOWLEDGMENT_TYPE = AckCodes("x12 587", {
    "AT": _A, "AK": _A, "AD": _A, "AE": _A,
    "AC": _C,
    "RJ": _R, "RD": _R, "RF": _R, "RO": _R,
    "AH": _P,
})
# fmt: on
