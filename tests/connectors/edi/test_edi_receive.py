"""`supplyhub edi receive FILE` and the drop directory `worker edi` watches: a file through
the whole gateway (kept, judged whole, translated, applied), the outcome per command, our
rejecting 997 for a file that cannot be read, and nothing applied twice."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from composed import add_partner, composed
from fastapi.testclient import TestClient
from x12.x12_samples import interchange

from api.auth import Role
from connectors.gateway.files import FileGateway
from supplyhub.bootstrap import open_hub
from supplyhub.cli import main
from supplyhub.edi_transports import build_drop_directory
from supplyhub.settings import Settings
from supplyhub.workers import build_edi

ANSWER = [
    "ST*855*0001",
    "BAK*00*AC*PO-77*20261204",
    "PO1*1*10*EA*2.5**BP*ITEM-1",
    "ACK*IA*10*EA*067*20261220",
    "PO1*2*10*EA*2.5**BP*ITEM-2",
    "ACK*IA*10*EA*067*20261222",
    "SE*7*0001",
]
MISCOUNTED = [*ANSWER[:-1], "SE*9*0001"]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A hub whose PO-77 went to partner acme (the samples' BUYERHUB), over REST."""
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(tmp_path))
    add_partner(tmp_path, {
        "partner": "acme", "supplier": "SUPPLIER", "dialect": "x12", "version": "004010",
        "ours": {"qualifier": "ZZ", "id": "SUPPLIER"},
        "theirs": {"qualifier": "ZZ", "id": "BUYERHUB"},
    })  # fmt: skip
    settings = Settings(data_dir=tmp_path, dev_mode=True)
    with composed(settings) as hub, TestClient(hub.app) as client:
        connector = hub.bearer(Role.CONNECTOR, "erp")
        client.put(
            "/api/v1/suppliers/SUPPLIER", json={"name": "Acme"},
            headers={**connector, "Idempotency-Key": "sup"},
        ).raise_for_status()  # fmt: skip
        lines = [
            {"line_number": n, "item": f"ITEM-{n}", "quantity": "10", "uom": "EA",
             "unit_price": "2.5", "need_by": "2026-12-20", "ship_to": "PLANT-1"}
            for n in (1, 2)
        ]  # fmt: skip
        client.post(
            "/api/v1/purchase-orders",
            json={"po_number": "PO-77", "supplier": "SUPPLIER", "currency": "USD",
                  "lines": lines},
            headers={**connector, "Idempotency-Key": "po-77"},
        ).raise_for_status()  # fmt: skip
    yield tmp_path


def acknowledgements(data_dir: Path) -> list[str]:
    """Each Acknowledged event of PO-77, by the payload it came in."""
    settings = Settings(data_dir=data_dir, dev_mode=True)
    with composed(settings) as hub, TestClient(hub.app) as client:
        history = client.get(
            "/api/v1/purchase-orders/PO-77/history", headers=hub.bearer(Role.AUDITOR, "ada")
        ).json()["events"]
    return [event["payload_ref"] for event in history if event["event"] == "Acknowledged"]


def test_receive_applies_each_command_prints_its_outcome_and_a_second_time_is_a_replay(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = data_dir / "answer.x12"
    path.write_text(interchange(ANSWER))

    first = main(["edi", "receive", str(path)])
    printed = capsys.readouterr().out.splitlines()
    again = main(["edi", "receive", str(path), "--json"])
    replayed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    assert (first, again) == (0, 0)
    assert printed[0] == "edi:BUYERHUB:000000101:7:0001 AcknowledgePurchaseOrder: applied"
    summary = next(line for line in printed if " from acme: " in line)
    assert summary.endswith("from acme: 1 applied, 0 replayed, 0 refused")
    ack = printed[printed.index("our functional ack (worker edi delivers it):") + 1 :]
    assert "AK1*PO*7" in ack[0] and "AK5*A" in ack[0] and "AK9*A*1*1*1" in ack[0]
    assert replayed[-1]["functional_ack"].rstrip("\n") == "\n".join(ack)  # the same ack again
    assert replayed[0]["outcome"]["replayed"] is True
    assert replayed[-1]["applied"] == 0 and replayed[-1]["replayed"] == 1
    assert len(acknowledgements(data_dir)) == 1


def test_two_groups_that_both_number_their_sets_from_0001_are_both_applied(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given one interchange of two GS groups (7 and 8), each with its set 0001: ST02 is unique
    # only within its group, so the second is not a resend of the first
    path = two_groups(data_dir)

    code = main(["edi", "receive", str(path), "--json"])
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    # Then both sets are applied, each under its own message id, and acknowledged group by group
    assert code == 0, results
    commands = [each for each in results if "message_id" in each]
    assert [each["message_id"] for each in commands] == [
        "edi:BUYERHUB:000000101:7:0001", "edi:BUYERHUB:000000101:8:0001",
    ]  # fmt: skip
    assert [each["outcome"]["replayed"] for each in commands] == [False, False]
    assert "AK1*PO*7" in results[-1]["functional_ack"]
    assert "AK1*PO*8" in results[-1]["functional_ack"]


def two_groups(data_dir: Path) -> Path:
    """One interchange of two GS groups (7 and 8), each with its set 0001."""
    first_group = interchange(ANSWER).split("\n")
    second = [*ANSWER[:2], "PO1*1*10*EA*2.5**BP*ITEM-1", "ACK*IR*0*EA", *ANSWER[4:]]
    groups = [
        *first_group[1:-2],  # GS 7 .. GE 7
        "GS*PO*BUYERHUB*SUPPLIER*20261204*1031*8*X*004010~",
        *(segment + "~" for segment in second),
        "GE*1*8~",
    ]
    path = data_dir / "two-groups.x12"
    path.write_text("\n".join([first_group[0], *groups, "IEA*2*000000101~", ""]))
    return path


@pytest.mark.parametrize("hold_lines", [50_000, 0], ids=["commands-kept", "read-again"])
def test_a_file_too_large_to_hold_is_streamed_and_still_answered_with_our_997(
    data_dir: Path, hold_lines: int
) -> None:
    # Given a gateway that holds no file (as a file over 1 MB is read: set by set), and
    # keeps its commands from the judging read, or not (too many lines: read again)
    settings = Settings(data_dir=data_dir, dev_mode=True)
    hub = open_hub(settings)
    try:
        edi = build_edi(settings, hub)
        gateway = FileGateway(hub, edi.partners, edi.payloads, edi.documents, hold_bytes=0,
                              hold_lines=hold_lines, receiver=edi.receiver)  # fmt: skip
        path = two_groups(data_dir)

        # When the file is received, and received again
        first = gateway.receive(path)
        again = gateway.receive(path)
    finally:
        hub.close()

    # Then both sets are applied, and our 997 acknowledges each group and each set, once
    ack = first.ack.decode()
    assert (first.applied, first.refused) == (2, "")
    assert ack.count("ST*997*") == 2 and "AK1*PO*7~" in ack and "AK1*PO*8~" in ack
    assert ack.count("AK2*855*0001~AK5*A~") == 2 and ack.count("AK9*A*1*1*1~") == 2
    assert (again.replayed, again.ack) == (2, first.ack)  # the same ack, no new number


def test_receive_of_a_file_it_cannot_read_parks_it_prints_our_997_and_applies_nothing(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = data_dir / "broken.x12"
    path.write_text(interchange(MISCOUNTED))

    status = main(["edi", "receive", str(path), "--partner", "acme"])
    out = capsys.readouterr().out
    main(["edi", "parked"])
    parked = capsys.readouterr().out

    assert status == 1
    assert "refused, parked: X12 SE at segment" in out and "SE01 is 9" in out
    assert "AK5*R*4~" in out and "AK9*R*" in out
    assert " acme  sha256:" in parked
    assert acknowledgements(data_dir) == []


def test_receive_names_a_file_whose_sender_no_profile_has(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = data_dir / "stranger.x12"
    path.write_text(interchange(ANSWER).replace("BUYERHUB       ", "STRANGER       "))

    status = main(["edi", "receive", str(path)])

    assert status == 1
    assert "no partner profile has the sender id 'STRANGER'" in capsys.readouterr().err


def dropped(data_dir: Path, name: str, text: str, age: float) -> Path:
    path = data_dir / "drop" / "inbound" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    when = time.time() - age
    os.utime(path, (when, when))
    return path


def test_the_drop_directory_applies_a_settled_file_moves_it_and_leaves_one_being_written(
    data_dir: Path,
) -> None:
    settings = Settings(data_dir=data_dir, dev_mode=True, edi_drop_dir=data_dir / "drop",
                        edi_drop_settle_seconds=2)  # fmt: skip
    settled = dropped(data_dir, "answer.x12", interchange(ANSWER), age=10)
    writing = dropped(data_dir, "half.x12", interchange(ANSWER)[:80], age=0)
    with composed(settings) as hub:
        drop = build_drop_directory(settings, hub.store)
        assert drop is not None

        handled = drop.scan()

    assert handled == 1
    assert (data_dir / "drop" / "processed" / "answer.x12").is_file()
    assert not settled.exists() and writing.exists()
    assert len(acknowledgements(data_dir)) == 1


def test_a_dropped_file_that_cannot_be_read_goes_to_failed_with_its_reason(
    data_dir: Path,
) -> None:
    settings = Settings(data_dir=data_dir, dev_mode=True, edi_drop_dir=data_dir / "drop")
    dropped(data_dir, "broken.x12", interchange(MISCOUNTED), age=10)
    with composed(settings) as hub:
        drop = build_drop_directory(settings, hub.store)
        assert drop is not None
        drop.scan()

    failed = data_dir / "drop" / "failed"
    assert (failed / "broken.x12").is_file()
    assert "SE01 is 9" in (failed / "broken.x12.reason").read_text()
    assert acknowledgements(data_dir) == []


def test_a_crash_between_applying_and_moving_applies_the_file_again_as_a_replay(
    data_dir: Path,
) -> None:
    settings = Settings(data_dir=data_dir, dev_mode=True, edi_drop_dir=data_dir / "drop")
    path = dropped(data_dir, "answer.x12", interchange(ANSWER), age=10)
    with composed(settings) as hub:
        drop = build_drop_directory(settings, hub.store)
        assert drop is not None
        applied = drop.gateway.receive(path)  # ... and the worker died before moving it

        drop.scan()

    assert applied.applied == 1
    assert (data_dir / "drop" / "processed" / "answer.x12").is_file()
    assert len(acknowledgements(data_dir)) == 1
