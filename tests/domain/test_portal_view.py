"""The first time a supplier's user opens each revision of an order in the portal is recorded,
once; nobody else can record it, for no other supplier's order, nor for a revision to come."""

from __future__ import annotations

import pytest
from given import envelope, lines

from domain import commands as c
from domain.application import SupplyHub
from domain.errors import NotFoundError, ValidationError
from domain.portal_view import PortalView
from domain.provenance import Channel


def opened(hub: SupplyHub, po_number: str, supplier: str, revision: int = 1) -> str:
    outcome = hub.handle(c.RecordPortalView(po_number, revision),
                         envelope(Channel.PORTAL, tenant=supplier))  # fmt: skip
    return outcome.status


def revisions_seen(hub: SupplyHub, po_number: str) -> tuple[int, ...]:
    views: PortalView = hub.repository.get(PortalView.create_id(po_number))
    return views.revisions


def test_each_revision_is_recorded_the_first_time_its_supplier_opens_it(
    hub: SupplyHub, supplier: str, po_number: str
) -> None:
    assert opened(hub, po_number, supplier) == "applied"
    assert opened(hub, po_number, supplier) == "unchanged"
    hub.handle(c.RevisePurchaseOrder(po_number, 2, lines(3)), envelope())
    assert opened(hub, po_number, supplier, revision=2) == "applied"

    assert revisions_seen(hub, po_number) == (1, 2)


def test_another_suppliers_order_does_not_exist_for_it(
    hub: SupplyHub, supplier: str, po_number: str
) -> None:
    with pytest.raises(NotFoundError):
        opened(hub, po_number, "SUP-SOMEONE-ELSE")


def test_only_a_suppliers_own_user_records_a_portal_view(
    hub: SupplyHub, supplier: str, po_number: str
) -> None:
    with pytest.raises(ValidationError, match="actor"):
        hub.handle(c.RecordPortalView(po_number, 1), envelope(Channel.PORTAL))


def test_a_revision_the_order_has_not_reached_is_refused_naming_it(
    hub: SupplyHub, supplier: str, po_number: str
) -> None:
    with pytest.raises(ValidationError, match="revision"):
        opened(hub, po_number, supplier, revision=2)


def test_no_channel_can_send_it() -> None:
    assert "record_portal_view" not in c.COMMANDS
