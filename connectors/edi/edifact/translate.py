"""One entry for every EDIFACT message the hub reads from a partner: ``translate(message,
profile)``."""

from __future__ import annotations

from collections.abc import Callable

from connectors.edi.edifact.functional_ack import translate_contrl
from connectors.edi.edifact.interchange import Message
from connectors.edi.edifact.invoice import translate_invoic
from connectors.edi.edifact.order_answer import translate_ordrsp
from connectors.edi.edifact.ship_notice import translate_desadv
from connectors.edi.errors import Fault, TranslationError
from connectors.edi.translation import Translation
from connectors.gateway.profile import PartnerProfile
from connectors.gateway.translators import translator_for

_TRANSLATORS: dict[str, Callable[[Message, PartnerProfile], Translation]] = {
    "ORDRSP": translate_ordrsp,
    "DESADV": translate_desadv,
    "INVOIC": translate_invoic,
    "CONTRL": translate_contrl,
}


def translate(document: Message, profile: PartnerProfile) -> Translation:
    """The canonical commands (or functional ack) one message says."""

    def refusal(known: str) -> TranslationError:
        return TranslationError(
            "EDIFACT", "UNH", document.position,
            f"S009 0065 {document.type!r} is not a message the hub reads from a partner "
            f"(reads {known})",
            "UNH 0065", fault=Fault.UNSUPPORTED, at=(2, 1), value=document.type,
        )  # fmt: skip

    return translator_for(_TRANSLATORS, document.type, refusal)(document, profile)
