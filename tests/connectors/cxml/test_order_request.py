"""The hub's purchase order written as a cXML OrderRequest (new, update, delete), read back to
the same values; a supplier's confirmation of it is tied to the revision it answers."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal

from cxml_samples import PROFILE, envelope

from connectors.cxml.order_request import (
    Operation,
    payload_id,
    read_order_request,
    write_order_request,
)
from connectors.cxml.safe_xml import parse
from connectors.cxml.translate import translate
from connectors.edi.order import OrderLine, OutboundOrder
from connectors.gateway.profile import CxmlTerms, OrderUpdates, PartnerProfile
from domain.commands import AcknowledgePurchaseOrder

ORDER = OutboundOrder(
    number="PO-77", revision=0, issued=date(2026, 12, 4), buyer_id="AN-HUB",
    supplier_id="123456789", currency="USD",
    lines=(
        OrderLine(1, "ITEM-1", Decimal(10), "EA", Decimal("2.50"), date(2026, 12, 20)),
        OrderLine(2, "ITEM-2", Decimal("2.5"), "EA", Decimal("8.90"), date(2026, 12, 21)),
    ),
)  # fmt: skip
AT = datetime(2026, 12, 4, 10, 30, tzinfo=UTC)


def written(order: OutboundOrder, operation: Operation, profile: PartnerProfile = PROFILE) -> bytes:
    return write_order_request(
        order,
        profile,
        operation,
        payload_id(order, operation, "n1", "hub.example"),
        AT,
    )


def test_a_new_order_reads_back_as_the_same_order() -> None:
    operation, order = read_order_request(written(ORDER, Operation.NEW))

    assert operation is Operation.NEW
    assert order == ORDER


def test_a_revision_is_an_update_with_its_order_version() -> None:
    revised = dataclasses.replace(ORDER, revision=2)
    head = parse(written(revised, Operation.UPDATE)).find("Request/OrderRequest/OrderRequestHeader")

    assert head is not None
    assert (head.get("type"), head.get("orderVersion")) == ("update", "3")


def test_a_supplier_that_wants_new_orders_gets_a_revision_as_a_new_order() -> None:
    assert PROFILE.cxml is not None
    terms = dataclasses.replace(PROFILE.cxml, order_updates=OrderUpdates.NEW)
    profile = dataclasses.replace(PROFILE, cxml=terms)
    revised = dataclasses.replace(ORDER, revision=1)

    head = parse(written(revised, Operation.UPDATE, profile)).find(
        "Request/OrderRequest/OrderRequestHeader"
    )

    assert head is not None
    assert (head.get("type"), head.get("orderVersion")) == ("new", None)


def test_a_cancellation_is_a_delete() -> None:
    operation, _ = read_order_request(written(ORDER, Operation.DELETE))
    assert operation is Operation.DELETE


def test_the_suppliers_part_number_comes_from_the_profiles_items_table() -> None:
    profile = dataclasses.replace(PROFILE, items=(("P-1", "ITEM-1"),))
    part = parse(written(ORDER, Operation.NEW, profile)).find(
        "Request/OrderRequest/ItemOut/ItemID/SupplierPartID"
    )
    assert part is not None and part.text == "P-1"


def test_the_shared_secret_is_written_only_when_given() -> None:
    document = write_order_request(ORDER, PROFILE, Operation.NEW, "p", AT, secret="s3cret")
    assert b"<SharedSecret>s3cret</SharedSecret>" in document
    assert b"SharedSecret" not in written(ORDER, Operation.NEW)


def test_a_confirmation_naming_our_payload_id_answers_that_revision() -> None:
    revised = dataclasses.replace(ORDER, revision=2)
    ours = payload_id(revised, Operation.UPDATE, "n1", "hub.example")
    request = f"""<ConfirmationRequest>
      <ConfirmationHeader type="detail" noticeDate="2026-12-04"/>
      <OrderReference orderID="PO-77"><DocumentReference payloadID="{ours}"/></OrderReference>
      <ConfirmationItem lineNumber="1" quantity="10"><ConfirmationStatus type="accept"/>
      </ConfirmationItem></ConfirmationRequest>"""

    (acknowledge,) = translate(envelope(request), PROFILE).commands

    assert isinstance(acknowledge, AcknowledgePurchaseOrder)
    assert acknowledge.revision == 3


def test_profile_terms_keep_the_secret_hash_out_of_their_repr() -> None:
    assert isinstance(PROFILE.cxml, CxmlTerms)
    assert "pbkdf2" not in repr(PROFILE)
