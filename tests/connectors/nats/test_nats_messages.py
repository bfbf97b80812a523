"""The pure translations at the NATS edge: events out, commands in."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

import pytest
from eventsourcing.persistence import Notification
from inbound_fixtures import line

from connectors.demo import run_scenario
from connectors.nats.command_messages import (
    InboundMessage,
    InvalidMessageError,
    document_key,
    document_of,
    to_body,
    to_command,
)
from connectors.nats.relay import is_published, message_id, provenance_of, subject_for, to_message
from domain import commands as c
from domain.acknowledgement import AckStatus
from domain.provenance import Channel
from supplyhub.bootstrap import open_hub
from supplyhub.settings import Settings
from supplyhub.workers import INBOUND_ANSWER_TABLES

FAX = {"Supplyhub-Channel": "fax"}
AT = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)

RELEASE = {
    "po_number": "4500000042",
    "supplier": "SUP-ACME",
    "currency": "EUR",
    "lines": [line(quantity="120")],
}


def command_message(name: str, fields: object, **headers: str) -> InboundMessage:
    return InboundMessage(
        f"supplyhub.commands.{name}",
        {"Nats-Msg-Id": "erp-123", **headers},
        json.dumps(fields).encode(),
    )


def test_topics_become_dotted_snake_case_subjects() -> None:
    assert (
        subject_for("supplyhub:PurchaseOrder.StaleResponseRecorded")
        == "supplyhub.events.purchase_order.stale_response_recorded"
    )
    assert subject_for("supplyhub:Invoice.Paid") == "supplyhub.events.invoice.paid"


def test_an_event_message_carries_its_id_position_correlation_and_stored_state() -> None:
    # given a stored notification and its decoded event with a provenance
    originator = uuid4()
    state = b'{"number":"4500000042"}'
    notification = Notification(
        id=17,
        originator_id=originator,
        originator_version=3,
        topic="supplyhub:PurchaseOrder.Acknowledged",
        state=state,
    )

    provenance = {"correlation_id": "corr-9", "causation_id": "erp-123", "message_id": "p-77"}

    # when it is translated
    message = to_message(notification, provenance)

    # then the headers make it traceable and dedupable, and the payload wraps the state
    assert message.subject == "supplyhub.events.purchase_order.acknowledged"
    assert message.headers["Nats-Msg-Id"] == message_id(originator, 3) == f"{originator}:3"
    assert message.headers["Supplyhub-Position"] == "17"
    assert message.headers["Supplyhub-Correlation-Id"] == "corr-9"
    assert message.headers["Supplyhub-Causation-Id"] == "erp-123"
    body = json.loads(message.payload)
    assert body["position"] == 17
    assert body["originator_version"] == 3
    assert body["event"] == {"number": "4500000042"}


def test_idempotency_records_are_not_published() -> None:
    assert not is_published("supplyhub:ProcessedMessage.Recorded")
    assert is_published("supplyhub:PurchaseOrder.Released")


def test_a_command_message_becomes_the_canonical_command_and_its_provenance() -> None:
    message = command_message(
        "release_purchase_order", RELEASE, **{"Supplyhub-Correlation-Id": "batch-7"}
    )

    command, provenance = to_command(message, AT)

    assert isinstance(command, c.ReleasePurchaseOrder)
    assert command.lines[0].quantity == Decimal("120")
    assert command.lines[0].need_by.isoformat() == "2026-12-01"
    assert provenance.message_id == "erp-123"
    assert provenance.correlation_id == "batch-7"
    assert provenance.channel is Channel.ERP
    assert provenance.at == AT


def test_an_acknowledgement_message_is_read_in_its_channels_codes_and_written_back_alike() -> None:
    answer = c.AcknowledgePurchaseOrder("4500000001", 1, (
        c.LineAnswer(10, AckStatus.ACCEPTED_WITH_CHANGES, "IQ", Decimal("95")),
        c.LineAnswer(20, AckStatus.REJECTED, "IR"),
    ))  # fmt: skip
    body = json.loads(json.dumps(to_body(answer), default=str))

    command, _ = to_command(command_message("acknowledge_purchase_order", body,
                                            **{"Supplyhub-Channel": "x12"}), AT)  # fmt: skip

    assert body["lines"][0] == {
        "line_number": 10, "code": "IQ", "confirmed_quantity": "95", "confirmed_date": None,
        "confirmed_price": None, "note": "",
    }  # fmt: skip
    assert command == answer


def test_the_portals_words_are_read_on_nats_only_with_the_portals_table() -> None:
    body = {"po_number": "4500000001", "revision": 1,
            "lines": [{"line_number": 10, "code": "Partially Accepted"}]}  # fmt: skip
    message = command_message("acknowledge_purchase_order", body, **{"Supplyhub-Channel": "portal"})

    with pytest.raises(InvalidMessageError, match="Supplyhub-Channel header: no answer codes"):
        to_command(message, AT)
    command, _ = to_command(message, AT, INBOUND_ANSWER_TABLES)

    assert isinstance(command, c.AcknowledgePurchaseOrder)
    assert command.lines[0].status is AckStatus.ACCEPTED_WITH_CHANGES


def test_a_command_messages_key_belongs_to_its_declared_actor_or_tenant() -> None:
    close = {"po_number": "1"}
    erp = command_message("close_purchase_order", close, **{"Supplyhub-Actor": "erp:sap"})
    wms = command_message("close_purchase_order", close, **{"Supplyhub-Actor": "wms"})
    acme = command_message("close_purchase_order", close, **{"Supplyhub-Tenant": "SUP-ACME"})

    namespaces = [to_command(message, AT)[1].namespace for message in (erp, wms, acme)]

    assert namespaces == ["erp:sap", "wms", "supplier:SUP-ACME"]


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (command_message("launch_rocket", {}), "unknown command type 'launch_rocket'"),
        (InboundMessage("supplyhub.commands.close_purchase_order", {"Nats-Msg-Id": "m"}, b"{"),
         "body: not JSON"),
        (command_message("close_purchase_order", [1]), "must be a JSON object"),
        (command_message("release_purchase_order", {**RELEASE, "lines": [{"line_number": "x"}]}),
         "lines.0.line_number: Input should be a valid integer"),
        (command_message("release_purchase_order",
                         {**RELEASE, "lines": [{**RELEASE["lines"][0], "colour": "red"}]}),
         "lines.0.colour: unknown field"),
        (command_message("close_purchase_order", {"po_number": "1", "reason": "x"}),
         "reason: unknown field"),
        (InboundMessage("supplyhub.commands.close_purchase_order", {}, b'{"po_number": "1"}'),
         "Nats-Msg-Id header: required"),
        (command_message("close_purchase_order", {"po_number": "1"}, **FAX),
         "Supplyhub-Channel header: must be one of"),
    ],
)  # fmt: skip
def test_a_bad_command_message_is_refused_with_a_reason_naming_the_field(
    message: InboundMessage, reason: str
) -> None:
    with pytest.raises(InvalidMessageError, match=reason):
        to_command(message, AT)


def test_commands_are_ordered_per_document() -> None:
    assert document_key(vars(c.ClosePurchaseOrder("45"))) == "po:45"
    receipt = c.PostGoodsReceipt("GR-1", "45", AT.date(), (), asn_number="ASN-1")
    assert document_key(vars(receipt)) == "po:45"
    assert document_key(vars(c.ApproveInvoice("SUP-A", "INV-9"))) == "invoice:SUP-A:INV-9"
    assert document_key(vars(c.CancelShipNotice("SUP-A", "ASN-1"))) == "asn:SUP-A:ASN-1"
    assert document_key(vars(c.UpsertSupplier("SUP-A", "Acme"))) == "supplier:SUP-A"
    assert document_key(vars(c.ReleaseQualityHold("QH-1"))) == "quality:QH-1"


def test_a_message_that_does_not_parse_still_names_its_document_when_it_can() -> None:
    broken = command_message("release_purchase_order", {"po_number": "45", "lines": "?"})
    assert document_of(broken) == "po:45"
    garbage = InboundMessage("supplyhub.commands.x", {"Nats-Msg-Id": "m-1"}, b"\xff")
    assert document_of(garbage) == "message:m-1"


def test_the_provenance_is_read_from_the_stored_state_of_a_real_event(tmp_path: Path) -> None:
    # given an event stored by the hub
    hub = open_hub(Settings(data_dir=tmp_path))
    try:
        run_scenario(hub, 1)
        stored = hub.recorder.select_notifications(1, 100)
        events = [hub.mapper.to_domain_event(n) for n in stored]
        mapper = hub.mapper
    finally:
        hub.close()

    # then reading the provenance from the bytes agrees with decoding the whole event
    ids = ("message_id", "correlation_id", "causation_id")
    for notification, event in zip(stored, events, strict=True):
        found = provenance_of(mapper, notification)
        assert found is not None
        assert [found[k] for k in ids] == [getattr(event.provenance, k) for k in ids]
    assert provenance_of(mapper, replace(stored[0], state=b'{"number": "45"}')) is None
