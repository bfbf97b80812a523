"""A partner's 997 / CONTRL inside a file over 1 MB, which `supplyhub edi receive` streams
rather than holds (connectors/gateway/files.py), is matched to what we sent exactly as the
same acknowledgement in a small file is, through the receiver's one matching path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from edi_partner import MockEdi
from edi_trading import Hub, after_trading, categories, release, trade_with

from supplyhub.cli import main

pytestmark = pytest.mark.mock_edi

LARGE = 2 << 20  # past the 1 MB a file is held to


def sent_an_order(hub: Hub, mock_edi: MockEdi, dialect: str, number: str) -> tuple[str, int]:
    """A PO sent to a mock partner that sends no 997 / CONTRL: (our id, our control)."""
    us = trade_with(hub, mock_edi, dialect, behaviour="no-ack")
    release(hub, number)
    hub.worker.step()
    (expected,) = hub.worker.acks.expected()
    assert expected.result == ""
    return us, expected.control


def rejecting_997(us: str, control: int) -> str:
    return (
        f"ISA*00*          *00*          *ZZ*MOCKEDI        *ZZ*{us:<15}*261204*1030*U*00401*"
        "000000601*0*T*>~GS*FA*MOCKEDI*HUB*20261204*1030*601*X*004010~ST*997*0001~"
        f"AK1*PO*{control}~AK2*850*0001~AK3*PO1*3**8~AK4*3*355*7*EA~AK5*R*5~AK9*R*1*1*0~"
        "SE*8*0001~GE*1*601~IEA*1*000000601~\n"
    )


def rejecting_contrl(us: str, control: int) -> str:
    return (
        f"UNA:+.? 'UNB+UNOC:3+MOCKEDI:ZZ+{us}:ZZ+261204:1030+601'UNH+1+CONTRL:D:3:UN'"
        f"UCI+{control}+{us}:ZZ+MOCKEDI:ZZ+4'UCM+1+ORDERS:D:96A:UN+4+12'UNT+4+1'UNZ+1+601'\n"
    )


def received(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, size: int) -> None:
    """``supplyhub edi receive FILE --partner mock-edi --json`` of ``text`` grown to ``size``
    bytes by line breaks after its last terminator (which every reader skips)."""
    path = tmp_path / "answer.edi"
    path.write_bytes(text.encode() + b"\n" * max(0, size - len(text)))
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(tmp_path))
    assert main(["edi", "receive", str(path), "--partner", "mock-edi", "--json"]) == 0


@pytest.mark.parametrize("size", [0, LARGE], ids=["small", "over 1 MB"])
@pytest.mark.parametrize(
    ("dialect", "written"), [("X12", rejecting_997), ("EDIFACT", rejecting_contrl)]
)
def test_a_partners_rejecting_ack_in_a_file_of_any_size_opens_the_same_case(
    hub: Hub, mock_edi: MockEdi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    dialect: str, written: Callable[[str, int], str], size: int,
) -> None:  # fmt: skip
    number = f"PO-BIG-{dialect}-{size}"
    us, control = sent_an_order(hub, mock_edi, dialect, number)

    received(tmp_path, monkeypatch, written(us, control), size)

    (expected,) = hub.worker.acks.expected()
    assert expected.result == "rejected"
    seen = after_trading(hub, mock_edi, "", number)
    assert "order_rejected_in_ack" in categories(seen, number)
    (case,) = [c for c in seen["exceptions"]["items"] if c["category"] == "order_rejected_in_ack"]
    assert f"rejected {expected.document}" in case["reason"]


def test_the_same_large_file_again_opens_nothing_twice(
    hub: Hub, mock_edi: MockEdi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    us, control = sent_an_order(hub, mock_edi, "X12", "PO-BIG-AGAIN")

    received(tmp_path, monkeypatch, rejecting_997(us, control), LARGE)
    received(tmp_path, monkeypatch, rejecting_997(us, control), LARGE)

    seen = after_trading(hub, mock_edi, "", "PO-BIG-AGAIN")
    cases = [c for c in seen["exceptions"]["items"] if c["category"] == "order_rejected_in_ack"]
    assert len(cases) == 1
