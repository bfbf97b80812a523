"""AS2 between the hub and a partner built directly on pyas2lib: signed and encrypted both
ways, the MIC of each message checked against its receipt, a tampered message refused with a
negative MDN and nothing applied. Certificates are generated for the session; none is kept."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from as2_partner import KeyPair, Pyas2Partner, key_pair, listening, raw
from composed import add_partner, composed
from fastapi.testclient import TestClient
from x12.x12_samples import interchange

from api.auth import Role
from connectors.as2.library import as2
from connectors.as2.receipts import As2Messages
from connectors.gateway.outbound import EdiOutbound
from supplyhub.cli import main
from supplyhub.read_side import ReadSide
from supplyhub.settings import Settings
from supplyhub.workers import build_edi, open_database

HUB_ID = "SUPPLYHUB-AS2"
PARTNER_ID = "ACME-AS2"
ANSWER = [
    "ST*855*0001",
    "BAK*00*AC*PO-77*20261204",
    "PO1*1*10*EA*2.5**BP*ITEM-1",
    "ACK*IA*10*EA*067*20261220",
    "PO1*2*10*EA*2.5**BP*ITEM-2",
    "ACK*IA*10*EA*067*20261222",
    "SE*7*0001",
]


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, KeyPair]:
    folder = tmp_path_factory.mktemp("as2-keys")
    return {name: key_pair(folder, name) for name in ("hub", "partner")}


@dataclass
class Hub:
    client: TestClient
    read_side: ReadSide
    worker: EdiOutbound
    data_dir: Path
    connector: dict[str, str]
    buyer: dict[str, str]
    auditor: dict[str, str]
    settings: Settings


def trade_by_as2(data_dir: Path, keys: dict[str, KeyPair], url: str, **terms: Any) -> None:
    add_partner(data_dir, {
        "partner": "acme", "supplier": "SUPPLIER", "dialect": "x12", "version": "004010",
        "ours": {"qualifier": "ZZ", "id": "SUPPLIER"},  # the samples' ISA08
        "theirs": {"qualifier": "ZZ", "id": "BUYERHUB"},  # the samples' ISA06
        "as2": {"url": url, "their_id": PARTNER_ID, "sign": True, "encrypt": True,
                "certificate": str(keys["partner"].certificate), **terms},
    })  # fmt: skip


@pytest.fixture
def hub(tmp_path: Path, keys: dict[str, KeyPair]) -> Iterator[Hub]:
    settings = Settings(
        data_dir=tmp_path, dev_mode=True, as2_id=HUB_ID,
        as2_key_file=keys["hub"].key, as2_certificate_file=keys["hub"].certificate,
        as2_mdn_url="http://hub.invalid/as2",
    )  # fmt: skip
    trade_by_as2(tmp_path, keys, "http://127.0.0.1:9/as2")
    with composed(settings) as hub, TestClient(hub.app) as client:
        yield Hub(
            client, hub.read_side, build_edi(settings, hub.store), tmp_path,
            hub.bearer(Role.CONNECTOR, "erp"), hub.bearer(Role.BUYER, "kim"),
            hub.bearer(Role.AUDITOR, "ada"), settings,
        )  # fmt: skip


@pytest.fixture
def partner(keys: dict[str, KeyPair]) -> Pyas2Partner:
    return Pyas2Partner(PARTNER_ID, keys["partner"], HUB_ID, keys["hub"].certificate)


def release(hub: Hub) -> None:
    answer = hub.client.put(
        "/api/v1/suppliers/SUPPLIER", json={"name": "Acme"},
        headers={**hub.connector, "Idempotency-Key": "sup"},
    )  # fmt: skip
    assert answer.status_code in (200, 201), answer.text
    lines = [
        {"line_number": n, "item": f"ITEM-{n}", "quantity": "10", "uom": "EA",
         "unit_price": "2.5", "need_by": "2026-12-20", "ship_to": "PLANT-1"}
        for n in (1, 2)
    ]  # fmt: skip
    answer = hub.client.post(
        "/api/v1/purchase-orders",
        json={"po_number": "PO-77", "supplier": "SUPPLIER", "currency": "USD", "lines": lines},
        headers={**hub.connector, "Idempotency-Key": "po-77"},
    )
    assert answer.status_code == 201, answer.text


def acknowledged(hub: Hub) -> list[str]:
    hub.read_side.runner.catch_up()
    query = '{ purchaseOrder(number: "PO-77") { lines { ackStatus } } }'
    answer = hub.client.post("/graphql", json={"query": query}, headers=hub.buyer)
    return [line["ackStatus"] for line in answer.json()["data"]["purchaseOrder"]["lines"]]


def post(hub: Hub, message: Any, content: bytes | None = None) -> Any:
    return hub.client.post(
        "/as2", content=message.content if content is None else content,
        headers=dict(message.headers),
    )  # fmt: skip


def test_a_signed_and_encrypted_855_is_applied_and_answered_with_a_signed_mdn_whose_mic_matches(
    hub: Hub, partner: Pyas2Partner
) -> None:
    release(hub)
    message = partner.message(interchange(ANSWER).encode())

    answer = post(hub, message)

    status, detail = as2.Mdn().parse(
        raw(dict(answer.headers), answer.content), find_message_cb=lambda *_: message
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("multipart/signed")
    assert (status, detail) == ("processed", None)  # signature verified, MIC equal
    assert acknowledged(hub) == ["accepted", "accepted"]


def test_the_same_message_again_is_a_replay_nothing_is_applied_twice(
    hub: Hub, partner: Pyas2Partner
) -> None:
    release(hub)
    document = interchange(ANSWER).encode()
    post(hub, partner.message(document))

    again = post(hub, partner.message(document))
    history = hub.client.get("/api/v1/purchase-orders/PO-77/history", headers=hub.auditor).json()[
        "events"
    ]

    assert again.status_code == 200
    assert [event["event"] for event in history].count("Acknowledged") == 1


def test_a_tampered_signed_message_gets_a_negative_mdn_and_nothing_is_applied(
    hub: Hub, partner: Pyas2Partner, keys: dict[str, KeyPair]
) -> None:
    trade_by_as2(hub.data_dir, keys, "http://127.0.0.1:9/as2", encrypt=False)
    release(hub)
    message = partner.message(interchange(ANSWER).encode(), encrypt=False)
    tampered = message.content.replace(b"ACK*IA*10", b"ACK*IR*10")
    assert tampered != message.content

    answer = post(hub, message, tampered)

    status, detail = as2.Mdn().parse(
        raw(dict(answer.headers), answer.content), find_message_cb=lambda *_: message
    )
    assert (status, detail) == ("processed/Error", "authentication-failed")
    assert acknowledged(hub) == ["pending", "pending"]


def test_an_unsigned_message_from_a_partner_that_must_sign_is_refused(
    hub: Hub, partner: Pyas2Partner
) -> None:
    release(hub)
    message = partner.message(interchange(ANSWER).encode(), sign=False, encrypt=False)

    answer = post(hub, message)

    assert b"insufficient-message-security" in answer.content
    assert acknowledged(hub) == ["pending", "pending"]


def test_an_asynchronous_mdn_goes_to_the_partners_receipt_delivery_option(
    hub: Hub, partner: Pyas2Partner
) -> None:
    release(hub)
    with listening(partner) as url:
        partner.mdn_url = url
        message = partner.message(interchange(ANSWER).encode(), mdn="ASYNC")

        answer = post(hub, message)

    assert (answer.status_code, answer.content) == (200, b"")
    (receipt,) = partner.receipts
    assert as2.Mdn().parse(receipt, find_message_cb=lambda *_: message) == ("processed", None)
    assert acknowledged(hub) == ["accepted", "accepted"]


def test_a_released_po_goes_out_signed_and_encrypted_and_the_partners_mdn_is_checked(
    hub: Hub, partner: Pyas2Partner, keys: dict[str, KeyPair]
) -> None:
    with listening(partner) as url:
        trade_by_as2(hub.data_dir, keys, url)
        release(hub)

        sent = hub.worker.step()

    assert sent == 1
    (document,) = partner.received
    assert b"ST*850*" in document and b"BEG*00*SA*PO-77" in document
    messages = As2Messages(open_database(hub.settings)).all()
    assert [(m.partner, m.status, m.detail) for m in messages] == [("acme", "processed", "")]


def test_an_asynchronous_mdn_for_our_850_is_matched_to_it_at_post_as2_and_recorded(
    hub: Hub, partner: Pyas2Partner, keys: dict[str, KeyPair]
) -> None:
    with listening(partner) as url:
        trade_by_as2(hub.data_dir, keys, url, mdn="async")
        release(hub)
        hub.worker.step()
    messages = As2Messages(open_database(hub.settings))
    awaiting = [m.status for m in messages.all()]
    (owed,) = partner.later

    answer = hub.client.post("/as2", content=owed[1], headers=owed[0])

    assert awaiting == ["awaiting"]
    assert answer.status_code == 200
    assert [(m.status, m.detail) for m in messages.all()] == [("processed", "")]


def test_a_failed_mdn_is_kept_for_operations_and_the_po_is_not_sent_again(
    hub: Hub,
    partner: Pyas2Partner,
    keys: dict[str, KeyPair],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    partner.sign_mdn = False  # we asked for a signed receipt: an unsigned one proves nothing
    with listening(partner) as url:
        trade_by_as2(hub.data_dir, keys, url)
        release(hub)

        sent, again = hub.worker.step(), hub.worker.step()
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(hub.data_dir))
    listed = main(["edi", "as2"])

    assert (sent, again, len(partner.received)) == (1, 0, 1)
    messages = As2Messages(open_database(hub.settings)).all()
    ((status, detail),) = [(m.status, m.detail) for m in messages]
    assert (status, detail) == ("failed/Failure", "Expected signed MDN but unsigned MDN returned")
    out = capsys.readouterr().out
    assert listed == 0 and "  acme  " in out and "failed/Failure  Expected signed MDN" in out


def test_a_partner_that_owes_a_synchronous_mdn_and_gives_none_is_tried_again(
    hub: Hub, partner: Pyas2Partner, keys: dict[str, KeyPair]
) -> None:
    partner.answer_mdn = False
    with listening(partner) as url:
        trade_by_as2(hub.data_dir, keys, url)
        release(hub)
        with pytest.raises(ConnectionError, match="no MDN"):
            hub.worker.step()
        partner.answer_mdn = True

        sent = hub.worker.step()

    assert sent == 1
    assert len(partner.received) == 2  # the same 850, sent again
    assert partner.received[0] == partner.received[1]


def test_a_profile_with_as2_terms_reads_back_and_names_a_wrong_flag() -> None:
    from connectors.gateway.profile import MdnMode, ProfileFormatError, profile_from_json

    base = {
        "partner": "p", "supplier": "S", "dialect": "x12", "version": "004010",
        "ours": {"qualifier": "ZZ", "id": "A"}, "theirs": {"qualifier": "ZZ", "id": "B"},
    }  # fmt: skip
    terms = {"url": "https://p/as2", "their_id": "P", "mdn": "async"}

    profile = profile_from_json({**base, "as2": terms})

    assert profile.as2 is not None and profile.as2.mdn is MdnMode.ASYNC
    with pytest.raises(ProfileFormatError, match=r"as2.sign is true or false, not 'yes'"):
        profile_from_json({**base, "as2": {**terms, "sign": "yes"}})
    with pytest.raises(ProfileFormatError, match=r"as2\.certificate"):
        profile_from_json({**base, "as2": {**terms, "encrypt": True}})
