"""The supplier portal: the first time a supplier's user opens each revision of an order."""

from __future__ import annotations

from domain import commands as c
from domain.errors import require
from domain.outcome import Outcome
from domain.portal_view import PortalView
from domain.use_cases.context import Context


def record_portal_view(ctx: Context, cmd: c.RecordPortalView) -> Outcome:
    require(bool(ctx.provenance.tenant), "actor",
            "only a supplier's own users open its orders in the portal")  # fmt: skip
    po = ctx.purchase_order(cmd.po_number)  # another supplier's order does not exist for it
    require(cmd.revision <= po.revision, "revision",
            f"the order is at revision {po.revision}")  # fmt: skip
    document = f"portal:{po.number}"
    views = ctx.uow.find(PortalView, PortalView.create_id(po.number))
    if views is None:
        ctx.uow.add(PortalView.first_seen(po.number, po.supplier, cmd.revision, ctx.provenance))
        return Outcome("applied", document, cmd.revision)
    recorded = views.seen(cmd.revision, ctx.provenance)
    return Outcome("applied" if recorded else "unchanged", document, cmd.revision)
