"""One function per use case: load what the command needs, let the aggregates decide, and
return the outcome. The application service saves what changed, in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain import commands as c
from domain.outcome import Outcome
from domain.use_cases.alert_rules import (
    define_alert_rule,
    disable_alert_rule,
    enable_alert_rule,
    remove_alert_rule,
)
from domain.use_cases.cases import (
    assign_exception,
    comment_on_exception,
    place_quality_hold,
    release_quality_hold,
    request_corrective_action,
    resolve_exception,
)
from domain.use_cases.context import Context
from domain.use_cases.erp import record_erp_refusal
from domain.use_cases.fulfilment import (
    cancel_ship_notice,
    post_goods_receipt,
    record_shipment_milestone,
    submit_ship_notice,
)
from domain.use_cases.functional_acks import record_functional_ack_problem
from domain.use_cases.invoicing import (
    approve_invoice,
    dispute_invoice,
    pay_invoice,
    report_erp_invoice_status,
    submit_invoice,
)
from domain.use_cases.master_data import set_tolerance_policy, upsert_supplier
from domain.use_cases.portal import record_portal_view
from domain.use_cases.purchase_orders import (
    acknowledge_purchase_order,
    approve_change,
    cancel_purchase_order,
    close_purchase_order,
    propose_change,
    reject_change,
    release_purchase_order,
    revise_purchase_order,
)

Handler = Callable[[Context, Any], Outcome]

HANDLERS: dict[type[c.Command], Handler] = {
    c.UpsertSupplier: upsert_supplier,
    c.SetTolerancePolicy: set_tolerance_policy,
    c.ReleasePurchaseOrder: release_purchase_order,
    c.RevisePurchaseOrder: revise_purchase_order,
    c.CancelPurchaseOrder: cancel_purchase_order,
    c.ClosePurchaseOrder: close_purchase_order,
    c.AcknowledgePurchaseOrder: acknowledge_purchase_order,
    c.ProposeChange: propose_change,
    c.ApproveChange: approve_change,
    c.RejectChange: reject_change,
    c.SubmitShipNotice: submit_ship_notice,
    c.RecordShipmentMilestone: record_shipment_milestone,
    c.CancelShipNotice: cancel_ship_notice,
    c.PostGoodsReceipt: post_goods_receipt,
    c.SubmitInvoice: submit_invoice,
    c.ApproveInvoice: approve_invoice,
    c.PayInvoice: pay_invoice,
    c.DisputeInvoice: dispute_invoice,
    c.ReportErpInvoiceStatus: report_erp_invoice_status,
    c.PlaceQualityHold: place_quality_hold,
    c.RequestCorrectiveAction: request_corrective_action,
    c.ReleaseQualityHold: release_quality_hold,
    c.AssignException: assign_exception,
    c.RecordPortalView: record_portal_view,
    c.ResolveException: resolve_exception,
    c.RecordErpRefusal: record_erp_refusal,
    c.RecordFunctionalAckProblem: record_functional_ack_problem,
    c.DefineAlertRule: define_alert_rule,
    c.RemoveAlertRule: remove_alert_rule,
    c.DisableAlertRule: disable_alert_rule,
    c.EnableAlertRule: enable_alert_rule,
    c.CommentOnException: comment_on_exception,
}


__all__ = ["HANDLERS", "Context", "Handler"]
