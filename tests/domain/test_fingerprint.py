"""Fingerprints tell a retry from a message id reused for other content, across schemes."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from given import envelope, lines

from domain import commands as c
from domain.acknowledgement import AckStatus
from domain.errors import IdempotencyKeyReusedError
from domain.fingerprint import fingerprint, same_content
from domain.outcome import Outcome
from domain.processed_message import ProcessedMessage

RELEASE = c.ReleasePurchaseOrder("4500000001", "SUP-1", "EUR", lines(3))


def test_equal_commands_built_separately_have_one_fingerprint() -> None:
    twin = c.ReleasePurchaseOrder("4500000001", "SUP-1", "EUR", lines(3))

    assert twin is not RELEASE
    assert fingerprint(twin) == fingerprint(RELEASE)
    assert fingerprint(RELEASE).startswith("j1:")


def test_the_j1_scheme_gives_the_digests_it_always_gave() -> None:
    # Stored in idempotency records: a change of how the JSON is written must not change it.
    assert fingerprint(RELEASE) == "j1:1ff736cb1988182c53c92aeab1245ee9"


def test_any_change_deep_inside_a_command_changes_its_fingerprint() -> None:
    changed_line = replace(
        RELEASE.lines[2], unit_price=RELEASE.lines[2].unit_price + Decimal("0.01")
    )
    changed = replace(RELEASE, lines=(*RELEASE.lines[:2], changed_line))

    assert fingerprint(changed) != fingerprint(RELEASE)
    assert not same_content(fingerprint(RELEASE), changed)


def test_a_record_written_under_the_repr_scheme_still_recognises_its_retry() -> None:
    legacy = hashlib.sha256(repr(RELEASE).encode()).hexdigest()[:32]
    record = ProcessedMessage(
        "msg-1", "ReleasePurchaseOrder", legacy, Outcome("applied", "po:4500000001", 1), envelope()
    )

    assert record.replay(RELEASE).replayed is True
    with pytest.raises(IdempotencyKeyReusedError, match="msg-1"):
        record.replay(replace(RELEASE, currency="USD"))


def test_an_acknowledgement_recorded_while_lines_carried_the_channels_code_is_still_a_retry() -> (
    None
):
    # The digests of this acknowledgement as the hub recorded it before `LineAnswer` carried
    # a canonical status (computed with that code: `LineAnswer(10, "IA")`, ...).
    answer = c.AcknowledgePurchaseOrder("4500000001", 2, (
        c.LineAnswer(10, AckStatus.ACCEPTED, "IA"),
        c.LineAnswer(20, AckStatus.ACCEPTED_WITH_CHANGES, "IQ", Decimal("95.5"),
                     date(2026, 12, 3), Decimal("4.75"), "short"),
    ))  # fmt: skip
    another_code = replace(answer, lines=(replace(answer.lines[0], source_code="AC"),
                                          answer.lines[1]))  # fmt: skip

    assert same_content("j1:7972260ce35c9f8cb42c9307774f12f4", answer)
    assert same_content("376cdbef8379d659b5720c3ae7ff5762", answer)
    assert not same_content("j1:7972260ce35c9f8cb42c9307774f12f4", another_code)
    assert not same_content("376cdbef8379d659b5720c3ae7ff5762", another_code)
