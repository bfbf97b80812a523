"""Every X12 and EDIFACT file of the shared third-party corpus is read or refused with a
reason, and what is read writes back to the same segments.

The corpus lives beside the repository (``../shared/corpus``, see its SOURCES.md) and is read
in place, never copied here; without it these tests skip and say why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from connectors.edi.edifact import reader as edifact_reader
from connectors.edi.edifact import writer as edifact_writer
from connectors.edi.errors import (
    CharacterSetError,
    ControlCountError,
    EdiSyntaxError,
    ElementError,
    TruncatedInputError,
)
from connectors.edi.segment import Segment
from connectors.edi.x12 import reader as x12_reader
from connectors.edi.x12 import writer as x12_writer
from connectors.edi.x12.interchange import Interchange

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
_CHUNK = 4096
T = TypeVar("T")

# file -> (interchanges, transaction sets or messages) when it reads, or the refusal.
# SOURCES.md lists the broken ones; each refusal here is the defect it describes.
X12 = {
    "810-850_004010-003010_two-groups_staedi.edi": (1, 3),
    "810_004010_jit-manufacturing_bots.x12": (1, 1),
    "810_004010_line-sac_two-invoices_bots.x12": (1, 2),
    "810_004010_walmart-allowance_oopfactory.txt": (1, 1),
    "850_004010VICS_multistore-sdq_nonprintable-delims_bots.x12": (1, 4),
    "850_004010VICS_widgets_node-x12.edi": (1, 1),
    "850_004010_jit-manufacturing_bots.x12": (1, 4),
    "850_004010_lf-only-no-tilde_bots.x12": (1, 1),
    "850_004010_mro-plant_pipe-terminator_oopfactory.txt": (1, 1),
    "850_004010_nak-crlf-terminator_bots.x12": (1, 2),
    "850_004010_sac-allowances_crlf_bots.x12": (3, 3),
    "850_004010_single-line_bots.x12": (1, 1),
    "855_004010UCS_multi-ack_safeway_bots.x12": (1, 6),
    "855_004010_partial-ack-line-status_node-x12.edi": (1, 1),
    "855_005010_line-ack_stedi.edi": (1, 1),
    "856_004010_multi-order-pack-item_jit_bots.x12": (1, 2),
    "856_004010_pack-level-sscc_bots.x12": (1, 1),
    "856_004010_tilde-element-star-terminator_oopfactory.txt": (1, 1),
    "856_004060_1edisource_node-x12.edi": (1, 1),
    "860_004010_po-change-delete-items_oopfactory.txt": (
        ElementError,
        "X12 ISA at segment 1: ISA06 is 14 characters; the standard fixes it at 15",
    ),
    "865_004010_po-change-ack_tyco_oopfactory.txt": (
        ElementError,
        "X12 IEA at segment 20: IEA02 is 8 characters; the standard fixes it at 9",
    ),
    "997_004010_multi-st-acks-850_bots.x12": (1, 4),
}
EDIFACT = {
    "DESADV_D96A_EAN005_eight-messages_bots.edi": (1, 8),
    "DESADV_D96A_EAN005_sscc-pack-hierarchy_bots.edi": (1, 3),
    "DESADV_D96A_books_php-edifact.edi": (1, 1),
    "INVOIC_D93A_german-comma-decimal_staedi.edi": (
        CharacterSetError,
        "EDIFACT NAD at segment 7: byte 0xc3 is outside UNOA",
    ),
    "INVOIC_D96A_EAN008_allowances-charges_bots.edi": (1, 2),
    "INVOIC_D97A_automotive-vauxhall_pydifact.edi": (1, 1),
    "INVOIC_D97B_custom-una-delimiters_staedi.edi": (1, 1),
    "ORDERS_D01B_EAN010_german-foodservice_php-edifact.edi": (1, 1),
    "ORDERS_D96A_EAN008_concatenated-interchanges_bots.edi": (24, 24),
    "ORDERS_D96A_EAN008_una-comma-decimal_no-unz_pydifact.edi": (
        TruncatedInputError,
        "EDIFACT UNZ at segment 18: interchange '807' (UNB at segment 1) has no UNZ",
    ),
    "ORDERS_D96B_EAN008_with-ung-group_staedi.edi": (
        ControlCountError,
        "EDIFACT UNT at segment 20: UNT 0074 is 21 but message '1' has 18 segments",
    ),
    "ORDRSP_D01B_EAN008_schema-maximal-lorem_latin1_edireader.edi": (1, 1),
}
# The buyer's own documents, which the outbound writer must be able to say again.
BUYER_SIDE = ("850", "860", "ORDERS")


def _corpus(dialect: str) -> Path:
    folder = CORPUS / dialect
    if not folder.is_dir():
        pytest.skip(f"the shared corpus is not beside this repository (looked in {folder})")
    return folder


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            yield chunk


def _read_or_refused(
    read: Callable[[Iterator[bytes]], Iterable[T]], path: Path, expected: tuple[object, object]
) -> list[T] | None:
    """The file's interchanges; None when the file is one the reader must refuse, once it has
    been refused with the expected defect."""
    if isinstance(expected[0], type):
        with pytest.raises(EdiSyntaxError) as refused:
            list(read(_chunks(path)))
        assert type(refused.value) is expected[0]
        assert str(refused.value).startswith(str(expected[1]))
        return None
    return list(read(_chunks(path)))


@pytest.mark.parametrize("name", sorted(X12))
def test_each_x12_file_is_read_or_refused_with_its_defect(name: str) -> None:
    path = _corpus("x12") / name
    expected = X12[name]

    interchanges = _read_or_refused(x12_reader.read_interchanges, path, expected)
    if interchanges is None:
        return
    sets = sum(len(group.sets) for each in interchanges for group in each.groups)
    assert (len(interchanges), sets) == expected
    written = b"".join(x12_writer.write(each.segments(), each.delimiters) for each in interchanges)
    assert _x12_segments(x12_reader.read_interchanges([written])) == _x12_segments(interchanges)


@pytest.mark.parametrize("name", sorted(EDIFACT))
def test_each_edifact_file_is_read_or_refused_with_its_defect(name: str) -> None:
    path = _corpus("edifact") / name
    expected = EDIFACT[name]

    interchanges = _read_or_refused(edifact_reader.read_interchanges, path, expected)
    if interchanges is None:
        return
    messages = sum(
        len(each.messages) + sum(len(group.messages) for group in each.groups)
        for each in interchanges
    )
    assert (len(interchanges), messages) == expected
    written = b"".join(
        edifact_writer.write(each.segments(), each.syntax, una=each.una) for each in interchanges
    )
    again = list(edifact_reader.read_interchanges([written]))
    assert [list(each.segments()) for each in again] == [
        list(each.segments()) for each in interchanges
    ]


def test_every_corpus_file_has_a_verdict_here_and_buyer_documents_are_written_back() -> None:
    on_disk = {path.name for path in _corpus("x12").iterdir()} | {
        path.name for path in _corpus("edifact").iterdir()
    }
    written_back = {
        name
        for name, verdict in {**X12, **EDIFACT}.items()
        if name.startswith(BUYER_SIDE) and not isinstance(verdict[0], type)
    }

    assert on_disk == set(X12) | set(EDIFACT)
    # Refused, and so not written back: the 860 (short ISA) and two ORDERS (no UNZ; UNT miscount).
    assert len(written_back) == 10


def _x12_segments(interchanges: Iterable[Interchange]) -> list[list[Segment]]:
    return [list(each.segments()) for each in interchanges]
