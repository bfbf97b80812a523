"""A partner's TA1 (X12 interchange acknowledgment) matched to our interchange by TA101, our
ISA13: one that accepts is kept and the 997 is still awaited; one that rejects is a case for
the buyer naming TA105's note code and its meaning, as a rejecting 997 is. Written by hand,
and sent by mock-edi, which refuses a replayed interchange with ``TA1 ... R 025``."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from edi_partner import MockEdi
from edi_trading import Hub, after_trading, categories, release, trade_with

from supplyhub.cli import main

pytestmark = pytest.mark.mock_edi


def sent_an_order(hub: Hub, mock_edi: MockEdi, number: str) -> tuple[str, int]:
    """A PO sent to a mock partner that sends no 997: (our id, our ISA13)."""
    us = trade_with(hub, mock_edi, "X12", behaviour="no-ack")
    release(hub, number)
    hub.worker.step()
    (expected,) = hub.worker.acks.expected()
    assert expected.result == ""
    return us, expected.control


def ta1_from_the_mock(us: str, control: int, verdict: str, note: str) -> bytes:
    isa = (
        f"ISA*00*          *00*          *ZZ*MOCKEDI        *ZZ*{us:<15}*261204*1030*U*00401*"
        "000000501*0*T*>~"
    )
    return f"{isa}TA1*{control:09d}*261204*1030*{verdict}*{note}~IEA*0*000000501~".encode()


def received(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, interchange: bytes) -> int:
    """``supplyhub edi receive FILE --partner mock-edi``: its exit status."""
    path = tmp_path / "ta1.x12"
    path.write_bytes(interchange)
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(tmp_path))
    return main(["edi", "receive", str(path), "--partner", "mock-edi"])


def test_a_ta1_rejecting_our_interchange_opens_a_case_naming_its_note_code_and_meaning(
    hub: Hub, mock_edi: MockEdi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    us, control = sent_an_order(hub, mock_edi, "PO-TA1-R")

    status = received(tmp_path, monkeypatch, ta1_from_the_mock(us, control, "R", "024"))

    assert status == 0
    seen = after_trading(hub, mock_edi, "", "PO-TA1-R")
    assert "order_rejected_in_ack" in categories(seen, "PO-TA1-R")
    (case,) = [c for c in seen["exceptions"]["items"] if c["category"] == "order_rejected_in_ack"]
    assert "TA1 R 024: invalid interchange content" in case["reason"]
    (expected,) = hub.worker.acks.expected()
    assert expected.result == "rejected"
    assert hub.worker.acks.interchange_acks() == [("mock-edi", control, "R", "024")]


def test_a_ta1_accepting_our_interchange_is_kept_and_its_997_is_still_awaited(
    hub: Hub, mock_edi: MockEdi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    us, control = sent_an_order(hub, mock_edi, "PO-TA1-A")

    received(tmp_path, monkeypatch, ta1_from_the_mock(us, control, "A", "000"))
    received(tmp_path, monkeypatch, ta1_from_the_mock(us, control, "A", "000"))

    assert hub.worker.acks.interchange_acks() == [("mock-edi", control, "A", "000")]
    (expected,) = hub.worker.acks.expected()
    assert expected.result == ""  # a TA1 answers the envelope; the 997 answers the order
    seen = after_trading(hub, mock_edi, "", "PO-TA1-A")
    assert "order_rejected_in_ack" not in categories(seen, "PO-TA1-A")


def test_a_ta1_naming_no_interchange_of_ours_changes_nothing(
    hub: Hub, mock_edi: MockEdi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    us, control = sent_an_order(hub, mock_edi, "PO-TA1-OTHER")

    received(tmp_path, monkeypatch, ta1_from_the_mock(us, control + 7, "R", "025"))

    assert hub.worker.acks.interchange_acks() == []
    (expected,) = hub.worker.acks.expected()
    assert expected.result == ""


def test_the_mock_refusing_our_interchange_sent_again_with_a_ta1_opens_a_case(
    hub: Hub, mock_edi: MockEdi
) -> None:
    us, control = sent_an_order(hub, mock_edi, "PO-TA1-MOCK")
    listed = httpx.get(f"{mock_edi.url}/_mock/interchanges", timeout=10).json()
    (first,) = [e for e in listed if e["partner"] == us and e["direction"] == "in"]
    ours = httpx.get(f"{mock_edi.url}/_mock/interchanges/{first['id']}?raw", timeout=10).content

    # It answers again (no-ack answered nothing), and our interchange comes to it again: a
    # replay, refused in the envelope's own words with no 997.
    httpx.patch(f"{mock_edi.url}/_mock/partners/{us}", json={"behaviour": "accept"},
                timeout=10).raise_for_status()  # fmt: skip
    mock_edi.send(ours)
    hub.worker.step()  # collects the mock's TA1 from its mailbox

    assert ("mock-edi", control, "R", "025") in hub.worker.acks.interchange_acks()
    seen = after_trading(hub, mock_edi, "", "PO-TA1-MOCK")
    (case,) = [c for c in seen["exceptions"]["items"] if c["category"] == "order_rejected_in_ack"]
    assert "TA1 R 025: duplicate interchange control number" in case["reason"]


def test_a_ta1_rejecting_an_interchange_whose_997_already_accepted_it_opens_no_case(
    hub: Hub, mock_edi: MockEdi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    us = trade_with(hub, mock_edi, "X12")
    release(hub, "PO-TA1-AFTER")
    hub.worker.step()  # the mock's 997 accepts our 850
    (expected,) = hub.worker.acks.expected()

    received(tmp_path, monkeypatch, ta1_from_the_mock(us, expected.control, "R", "025"))

    assert hub.worker.acks.interchange_acks() == [("mock-edi", expected.control, "R", "025")]
    assert hub.worker.acks.expected()[0].result == "accepted"
    seen = after_trading(hub, mock_edi, "", "PO-TA1-AFTER")
    assert "order_rejected_in_ack" not in categories(seen, "PO-TA1-AFTER")


def test_a_ta1_whose_verdict_is_no_i17_code_is_refused_and_answered_with_our_997(
    hub: Hub, mock_edi: MockEdi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    us, control = sent_an_order(hub, mock_edi, "PO-TA1-BAD")

    status = received(tmp_path, monkeypatch, ta1_from_the_mock(us, control, "X", "000"))

    assert status == 1
    assert "TA104 'X' is not in X12 I17 (known: A, E, R)" in capsys.readouterr().out
    assert hub.worker.acks.interchange_acks() == []
    assert hub.worker.acks.expected()[0].result == ""
