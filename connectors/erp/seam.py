"""What the hub needs from any ERP: changes since a cursor in, write-backs out.

An adapter (`connectors/erp/<name>/`) is a pure translation on each side plus thin I/O
loops: its reader turns the ERP's records into `ErpMessage`s (a canonical command with the
idempotency key that names the ERP document and version), `connectors/erp/hub.py` applies
them, and its writer turns the hub's outbound facts into ERP calls. A third ERP is one new
module implementing these protocols.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Generic, Protocol, TypeVar

from domain.commands import Command

CursorT = TypeVar("CursorT")


class ErpDataError(Exception):
    """An ERP record the hub cannot take as it is; names the ERP's model, record and field."""

    def __init__(self, model: str, record_id: object, field: str, rule: str) -> None:
        super().__init__(f"{model},{record_id} {field}: {rule}")
        self.model = model
        self.record_id = record_id
        self.field = field
        self.rule = rule


@dataclass(frozen=True)
class ErpMessage:
    """One canonical command from the ERP. `message_id` names the ERP document and version,
    so reading the same version again is a replay that writes nothing; `payload_ref` points
    at the ERP record it was read from, for lineage."""

    command: Command
    message_id: str
    payload_ref: str


@dataclass(frozen=True)
class KnownOrder:
    """What the hub holds of a purchase order: enough to say what an ERP version adds."""

    revision: int
    status: str  # open, cancelled, closed


class HubOrders(Protocol):
    def known_order(self, po_number: str) -> KnownOrder | None: ...


@dataclass(frozen=True)
class Changes(Generic[CursorT]):
    """The ERP records changed since a cursor, translated, and the cursor after them.
    `failed` are the records that could not be translated; the cursor reads them again."""

    messages: Sequence[ErpMessage]
    cursor: CursorT
    failed: Sequence[ErpDataError] = ()


class ErpChanges(Protocol[CursorT]):
    """The inbound half. Each method reads what changed since `cursor` and returns the
    commands for what the hub does not hold yet (`orders` says what it holds)."""

    def purchase_orders(self, cursor: CursorT, orders: HubOrders) -> Changes[CursorT]:
        """Releases (from the state the ERP sends to suppliers on), each new revision,
        cancellations; the suppliers they name, upserted first."""
        ...

    def goods_receipts(self, cursor: CursorT) -> Changes[CursorT]:
        """Receipts against PO lines (`PostGoodsReceipt`); Tryton: `tryton/receipts.py`."""
        ...

    def invoice_states(self, cursor: CursorT) -> Changes[CursorT]:
        """Supplier invoices posted and paid (`ReportErpInvoiceStatus`); Tryton: `invoices.py`."""
        ...


@dataclass(frozen=True)
class LineDate:
    line_number: int
    delivery_date: date


@dataclass(frozen=True)
class LineChange:
    line_number: int
    quantity: Decimal | None = None
    unit_price: Decimal | None = None


@dataclass(frozen=True)
class Acknowledgement:
    """The supplier's answer to one revision, as the ERP should hear it: its reference, the
    line dates it confirmed, and whether it accepted every line as ordered (then the ERP may
    confirm the order; otherwise the buyer decides in the hub first)."""

    po_number: str
    revision: int  # the hub's
    reference: str
    dates: tuple[LineDate, ...]
    confirm: bool


class ErpRefusedError(Exception):
    """The ERP refused a write-back for a business reason (a locked record, a field not
    writable in this state, a revision it moved past): a case for the buyer, not a retry."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ErpBusyError(ConnectionError):
    """The ERP's record kept changing under the write-back: try again later (transient)."""


class ErpWriteBack(Protocol):
    """The outbound half, fed by a tracked subscriber of the event log (never a dual write,
    connectors/erp/writebacks.py). Each call is idempotent for the ERP document: it reads the
    ERP's state first and writes only what differs, so a replay after a crash writes nothing.
    A business refusal raises `ErpRefusedError`; the ERP away raises a `ConnectionError`."""

    def acknowledge(self, ack: Acknowledgement) -> str:
        """The supplier's confirmation; returns what it did (e.g. `confirmed`, `unchanged`)."""
        ...

    def amend(
        self, po_number: str, changes: Sequence[LineChange], *, revision: int | None = None
    ) -> str:
        """A quantity or price change agreed in the hub (approved by the buyer, or applied
        inside the supplier's tolerance), on the hub's `revision` of the order (None: any).
        Tryton: a validated purchase amendment, which makes Tryton's next revision. Returns
        what it did (`amended`, `unchanged`)."""
        ...


@dataclass(frozen=True)
class InvoiceItem:
    line_number: int
    quantity: Decimal
    amount: Decimal  # quantity x unit price, in the invoice's currency


@dataclass(frozen=True)
class SupplierInvoice:
    """A supplier's invoice the hub matched (or the buyer approved), as the ERP should post
    it: the supplier's own number, the PO it bills and what each line bills."""

    invoice_number: str
    supplier: str  # the hub's supplier key
    po_number: str
    currency: str
    invoice_date: date
    items: tuple[InvoiceItem, ...]


class ErpInvoicePosting(Protocol):
    """Posting matched supplier invoices (connectors/erp/invoices.py feeds it). Idempotent for
    the ERP document, by the supplier and its invoice number: it reads the ERP first."""

    def post_invoice(self, invoice: SupplierInvoice) -> str:
        """Returns what it did (e.g. `posted 5100000001`, `already posted 5100000001`)."""
        ...
