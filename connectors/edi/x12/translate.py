"""One entry for every X12 set the hub reads from a partner: ``translate(set, profile)``."""

from __future__ import annotations

from collections.abc import Callable

from connectors.edi.errors import Fault, TranslationError
from connectors.edi.translation import Translation
from connectors.edi.x12.functional_ack import translate_997
from connectors.edi.x12.interchange import TransactionSet
from connectors.edi.x12.invoice import translate_810
from connectors.edi.x12.order_answer import translate_855, translate_865
from connectors.edi.x12.ship_notice import translate_856
from connectors.gateway.profile import PartnerProfile
from connectors.gateway.translators import translator_for

_TRANSLATORS: dict[str, Callable[[TransactionSet, PartnerProfile], Translation]] = {
    "855": translate_855,
    "865": translate_865,
    "856": translate_856,
    "810": translate_810,
    "997": translate_997,
}


def translate(document: TransactionSet, profile: PartnerProfile) -> Translation:
    """The canonical commands (or functional ack) one transaction set says."""

    def refusal(known: str) -> TranslationError:
        return TranslationError(
            "X12", "ST", document.position,
            f"ST01 {document.code!r} is not a set the hub reads from a partner (reads {known})",
            "ST01", fault=Fault.UNSUPPORTED, at=(1, 1), value=document.code,
        )  # fmt: skip

    return translator_for(_TRANSLATORS, document.code, refusal)(document, profile)
