"""The chain head an auditor keeps: one typed value, written and parsed in one place."""

from __future__ import annotations

import pytest

from projections.audit_report import ChainHead
from projections.views.audit_ledger import GENESIS

DIGEST = "ab" * 32


def test_a_head_as_audit_digest_prints_it_parses_back_to_the_same_head() -> None:
    head = ChainHead(42, DIGEST)

    assert str(head) == f"42:{DIGEST}"
    assert ChainHead.parse(str(head)) == head
    assert ChainHead.parse(f"42:{DIGEST.upper()}") == head


@pytest.mark.parametrize("text", ["42", f"x:{DIGEST}", f"42:{DIGEST[:-1]}", f"-1:{DIGEST}"])
def test_a_text_that_is_not_position_colon_digest_is_refused_naming_the_form(text: str) -> None:
    with pytest.raises(ValueError, match="is not POSITION:DIGEST"):
        ChainHead.parse(text)


def test_an_empty_chain_is_position_0_at_the_genesis_digest() -> None:
    assert str(ChainHead(0)) == f"0:{GENESIS}"


def test_a_ledger_row_gives_its_position_and_chain_digest_not_the_event_hash() -> None:
    assert ChainHead.of_row("00000000000000000007", f"{'cd' * 32} {DIGEST}") == ChainHead(7, DIGEST)
