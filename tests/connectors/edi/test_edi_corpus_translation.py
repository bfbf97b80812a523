"""Every partner-side document of the shared third-party corpus (855, 856, 810, 865, 997;
ORDRSP, DESADV, INVOIC, CONTRL) is translated or refused with a reason, set by set, and none
crashes. Read in place, with the profile each file's own envelope implies (what
``supplyhub edi translate FILE`` does without ``--partner``); skipped, saying why, without it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest

from connectors.edi.edifact import reader as edifact_reader
from connectors.edi.edifact.translate import translate as translate_edifact
from connectors.edi.errors import EdiSyntaxError
from connectors.edi.translation import Translation
from connectors.edi.x12 import reader as x12_reader
from connectors.edi.x12.translate import translate as translate_x12
from connectors.gateway.profile import Dialect, PartnerProfile, PartyAddress

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
_CHUNK = 4096
_PARTNER_SIDE = ("855", "856", "810", "865", "997", "ORDRSP", "DESADV", "INVOIC", "CONTRL")
_CURRENCY = (
    "X12 BIG at segment {}: CUR02 is missing (no CUR) and the partner's profile names no currency"
)

# file -> each set's verdict in order: the message it translated to with its command count
# ("855:2"), or its refusal; a refusal of the interchange itself ends the list.
VERDICTS = {
    "810-850_004010-003010_two-groups_staedi.edi": [
        _CURRENCY.format(4), _CURRENCY.format(36),
        "X12 ST at segment 59: ST01 '850' is not a set the hub reads from a partner "
        "(reads 855, 865, 856, 810, 997)",
    ],
    "810_004010_jit-manufacturing_bots.x12": [_CURRENCY.format(4)],
    "810_004010_line-sac_two-invoices_bots.x12": [_CURRENCY.format(4), _CURRENCY.format(33)],
    "810_004010_walmart-allowance_oopfactory.txt": [_CURRENCY.format(4)],
    # Safeway's 855 answers by UPC with no PO101: the hub answers lines by their number.
    "855_004010UCS_multi-ack_safeway_bots.x12": [
        f"X12 PO1 at segment {n}: PO101 is required here and empty"
        for n in (11, 47, 58, 69, 96, 128)
    ],
    "855_004010_partial-ack-line-status_node-x12.edi": ["855:1"],
    "855_005010_line-ack_stedi.edi": [
        "X12 PO1 at segment 12: PO101 'item-1' is not a line number"
    ],
    "856_004010_multi-order-pack-item_jit_bots.x12": ["856:1", "856:1"],
    "856_004010_pack-level-sscc_bots.x12": ["856:1"],
    "856_004010_tilde-element-star-terminator_oopfactory.txt": ["856:1"],
    "856_004060_1edisource_node-x12.edi": ["856:1"],
    # The set translates (IC with a new date: an acknowledgement and a proposal); the
    # interchange is refused at its IEA, the defect SOURCES.md names.
    "865_004010_po-change-ack_tyco_oopfactory.txt": [
        "865:2",
        "X12 IEA at segment 20: IEA02 is 8 characters; the standard fixes it at 9",
    ],
    "997_004010_multi-st-acks-850_bots.x12": ["997:0"] * 4,
    "DESADV_D96A_EAN005_eight-messages_bots.edi": ["DESADV:1"] * 8,
    "DESADV_D96A_EAN005_sscc-pack-hierarchy_bots.edi": ["DESADV:1"] * 3,
    "DESADV_D96A_books_php-edifact.edi": ["DESADV:1"],
    "INVOIC_D93A_german-comma-decimal_staedi.edi": [
        "EDIFACT NAD at segment 7: byte 0xc3 is outside UNOA, the character set UNB S001 "
        "declares"
    ],
    "INVOIC_D96A_EAN008_allowances-charges_bots.edi": ["INVOIC:1", "INVOIC:1"],
    "INVOIC_D97A_automotive-vauxhall_pydifact.edi": [
        "EDIFACT BGM at segment 3: BGM 1001 '381' is not an invoice (380, 388) the hub matches"
    ],
    "INVOIC_D97B_custom-una-delimiters_staedi.edi": ["INVOIC:1"],
    # A schema-filling sample: lorem ipsum everywhere, and no RFF ON to say which order.
    "ORDRSP_D01B_EAN008_schema-maximal-lorem_latin1_edireader.edi": [
        "EDIFACT BGM at segment 3: RFF 1153 no RFF ON names the order this message answers"
    ],
}  # fmt: skip


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            yield chunk


def _verdicts(path: Path) -> list[str]:
    """Each set translated on its own, so one refused set does not hide the next."""
    found: list[str] = []
    x12 = path.parent.name == "x12"
    try:
        if x12:
            for document in x12_reader.read_sets(_chunks(path)):
                isa = document.interchange
                profile = PartnerProfile.from_document(
                    Dialect.X12, document.version,
                    PartyAddress(isa.get(5), isa.get(6).strip()),
                    PartyAddress(isa.get(7), isa.get(8).strip()),
                )  # fmt: skip
                found.append(_one(partial(translate_x12, document, profile)))
        else:
            for message in edifact_reader.read_messages(_chunks(path)):
                unb = message.interchange
                profile = PartnerProfile.from_document(
                    Dialect.EDIFACT, message.version,
                    PartyAddress(unb.get(2, 2), unb.get(2, 1)),
                    PartyAddress(unb.get(3, 2), unb.get(3, 1)),
                )  # fmt: skip
                found.append(_one(partial(translate_edifact, message, profile)))
    except EdiSyntaxError as refused:
        found.append(str(refused))
    return found


def _one(translate: Callable[[], Translation]) -> str:
    try:
        translation = translate()
    except EdiSyntaxError as refused:
        return str(refused)
    return f"{translation.message}:{len(translation.commands)}"


def _partner_side() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(
        path
        for folder in ("x12", "edifact")
        for path in (CORPUS / folder).iterdir()
        if path.name.startswith(_PARTNER_SIDE)
    )


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_each_partner_document_of_the_corpus_is_translated_or_refused_with_a_reason(
    name: str,
) -> None:
    folder = CORPUS / ("x12" if name[0].isdigit() else "edifact")
    if not folder.is_dir():
        pytest.skip(f"the shared corpus is not beside this repository (looked in {folder})")

    assert _verdicts(folder / name) == VERDICTS[name]


def test_every_partner_document_in_the_corpus_has_a_verdict_here() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not beside this repository (looked in {CORPUS})")

    assert {path.name for path in _partner_side()} == set(VERDICTS)


def test_the_corpus_810s_with_a_partners_currency_translate_or_lack_their_line_numbers() -> None:
    folder = CORPUS / "x12"
    if not folder.is_dir():
        pytest.skip(f"the shared corpus is not beside this repository (looked in {folder})")
    profile = PartnerProfile(
        "p", "SUP", Dialect.X12, "004010", PartyAddress("ZZ", "US"), PartyAddress("ZZ", "THEM"),
        currency="USD",
    )  # fmt: skip

    verdicts = {
        path.name: [
            _one(partial(translate_x12, document, profile))
            for document in x12_reader.read_sets(_chunks(path))
            if document.code == "810"
        ]
        for path in sorted(folder.glob("810*"))
    }

    assert verdicts == {
        "810-850_004010-003010_two-groups_staedi.edi": [
            "X12 IT1 at segment 16: IT101 is required here and empty",
            "X12 IT1 at segment 48: IT101 is required here and empty",
        ],
        "810_004010_jit-manufacturing_bots.x12": ["810:1"],
        "810_004010_line-sac_two-invoices_bots.x12": [
            "X12 IT1 at segment 12: IT101 is required here and empty",
            "X12 IT1 at segment 41: IT101 is required here and empty",
        ],
        "810_004010_walmart-allowance_oopfactory.txt": [
            "X12 IT1 at segment 15: IT101 is required here and empty"
        ],
    }
