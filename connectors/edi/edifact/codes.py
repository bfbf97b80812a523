"""UN/EDIFACT code lists the translators need, data element by data element.

1229 Action request/notification description code: the line's answer in ORDRSP (LIN 1229),
UN/EDIFACT directories D.96A to D.09A (Stedi, https://stedi.com/edi/edifact/D01A/elements/1229;
the same codes in D98B and D00B):

    3 Changed - this line item is changed in the referenced message
    4 No action - this line item is not affected by the actual message
    5 Accepted without amendment - this line item is entirely accepted by the seller
    6 Accepted with amendment - this line item is accepted but amended by the seller
    7 Not accepted - this line item is not accepted by the seller

(The table this replaces read 4 as "accepted with changes" and 6 as "pending", and took the
message-function codes 27 and 29 of 1225 as line codes.) A line with no action was not
answered by this message: it stays pending.

1225 Message function code: the whole answer in ORDRSP (BGM 1225), D.96A
(https://xedi.com/resources/edifact/D95A/bopbnk lists the same codes; the ORDRSP semantic
notes, https://service.unece.org/trade/untdid/d95a/trmd/ordrsp_a.htm, say how 12, 27, 28, 29
and 34 answer an order):

    4 Change                 12 Not processed (received, not yet processed)
    27 Not accepted          28 Accepted, with amendment in heading section
    29 Accepted without amendment
    30 Accepted, with amendment in detail section
    34 Accepted with amendment
"""

from __future__ import annotations

from domain.acknowledgement import AckCodes, AckStatus

_A, _C, _R, _P = (
    AckStatus.ACCEPTED,
    AckStatus.ACCEPTED_WITH_CHANGES,
    AckStatus.REJECTED,
    AckStatus.PENDING,
)

LINE_ACTION = AckCodes("edifact", {"5": _A, "3": _C, "6": _C, "7": _R, "4": _P})
MESSAGE_FUNCTION = AckCodes(
    "edifact message function",
    {"29": _A, "4": _C, "28": _C, "30": _C, "34": _C, "27": _R, "12": _P},
)

# 4343 Response type code (ORDRSP BGM 4343), D.96A (https://service.unece.org/trade/untdid/
# d96a/tred/tred4343.htm): AP Accepted, CA Conditionally accepted, RE Rejected. The AB/AC/AE/AI
# "acknowledge ..." codes say what the message lists, not whether the order stands: refused
# unless the line says (LIN 1229) or the partner maps them.
RESPONSE_TYPE = AckCodes("edifact response type", {"AP": _A, "CA": _C, "RE": _R})
