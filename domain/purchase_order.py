"""The purchase order: released and revised by the ERP, answered line by line by the supplier."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.acknowledgement import AckStatus, LineResponse
from domain.change_proposal import ChangeProposal
from domain.construction import LIBRARY, Construction
from domain.errors import ConflictError, NotFoundError, ValidationError, require
from domain.identity import document_id
from domain.order_line import LineQuantity, OrderLine, ScheduleLine, check_lines
from domain.provenance import Provenance
from domain.tolerance import TolerancePolicy

_T = "supplyhub:PurchaseOrder"


class PurchaseOrderClosedError(ConflictError):
    code = "purchase_order_closed"


class PurchaseOrder(Aggregate):
    TOPIC = _T

    class Created(Aggregate.Created):
        TOPIC = f"{_T}.Created"

    class Released(Created):
        TOPIC = f"{_T}.Released"
        number: str
        supplier: str
        currency: str
        lines: tuple[OrderLine, ...]
        provenance: Provenance

    @staticmethod
    def create_id(number: str) -> UUID:
        return document_id("po", number)

    @classmethod
    def release(
        cls,
        number: str,
        supplier: str,
        currency: str,
        lines: tuple[OrderLine, ...],
        provenance: Provenance,
        construction: Construction = LIBRARY,
    ) -> PurchaseOrder:
        require(bool(number.strip()), "po_number", "must not be empty")
        check_lines(lines)
        fields = {
            "number": number,
            "supplier": supplier,
            "currency": currency,
            "lines": lines,
            "provenance": provenance,
        }
        return construction.create(cls, cls.Released, cls.create_id(number), **fields)

    @event(Released)
    def __init__(
        self,
        number: str,
        supplier: str,
        currency: str,
        lines: tuple[OrderLine, ...],
        provenance: Provenance,
    ) -> None:
        self.number = number
        self.supplier = supplier
        self.currency = currency
        self.revision = 1
        self.status = "open"
        self.lines = {line.line_number: line for line in lines}
        self.responses: dict[int, LineResponse] = {}
        self.commitments: dict[int, tuple[ScheduleLine, ...]] = {}
        self.proposals: dict[str, ChangeProposal] = {}
        self.shipped: dict[int, Decimal] = {}
        self.shipped_by_asn: dict[str, tuple[LineQuantity, ...]] = {}
        self.received: dict[int, Decimal] = {}
        self.invoiced: dict[int, Decimal] = {}

    # --- ERP side -------------------------------------------------------------------------

    def revise(self, revision: int, lines: tuple[OrderLine, ...], provenance: Provenance) -> None:
        self._require_open()
        if revision <= self.revision:
            raise ConflictError(
                f"purchase order {self.number} is at revision {self.revision}; "
                f"revision {revision} is not newer"
            )
        require(revision == self.revision + 1, "revision", f"must be {self.revision + 1}")
        check_lines(lines)
        self._revised(revision, lines, provenance)

    @event("Revised", topic=f"{_T}.Revised")
    def _revised(self, revision: int, lines: tuple[OrderLine, ...], provenance: Provenance) -> None:
        self.revision = revision
        self.lines = {line.line_number: line for line in lines}
        self.responses = {}
        self.commitments = {}

    def cancel(self, reason: str, provenance: Provenance) -> None:
        self._require_open()
        self._cancelled(reason, provenance)

    @event("Cancelled", topic=f"{_T}.Cancelled")
    def _cancelled(self, reason: str, provenance: Provenance) -> None:
        self.status = "cancelled"

    def close(self, provenance: Provenance) -> None:
        self._require_open()
        self._closed(provenance)

    @event("Closed", topic=f"{_T}.Closed")
    def _closed(self, provenance: Provenance) -> None:
        self.status = "closed"

    # --- supplier answers -----------------------------------------------------------------

    def is_stale(self, revision: int) -> bool:
        """An answer to an older revision than the current one: recorded, never applied."""
        return revision < self.revision

    def acknowledge(
        self, revision: int, responses: tuple[LineResponse, ...], provenance: Provenance
    ) -> None:
        self._require_open()
        self._require_current(revision)
        require(len(responses) > 0, "lines", "at least one line response is required")
        numbers = [response.line_number for response in responses]
        require(len(set(numbers)) == len(numbers), "lines", "a line may be answered once")
        for number in numbers:
            self.line(number)
        self._acknowledged(revision, responses, provenance)

    @event("Acknowledged", topic=f"{_T}.Acknowledged")
    def _acknowledged(
        self, revision: int, responses: tuple[LineResponse, ...], provenance: Provenance
    ) -> None:
        for response in responses:
            self.responses[response.line_number] = response
            line = self.lines[response.line_number]
            if response.status in (AckStatus.ACCEPTED, AckStatus.ACCEPTED_WITH_CHANGES):
                self.commitments[response.line_number] = (
                    ScheduleLine(
                        quantity=response.confirmed_quantity or line.quantity,
                        need_by=response.confirmed_date or line.need_by,
                    ),
                )

    def record_stale_response(self, kind: str, revision: int, provenance: Provenance) -> None:
        self._require_open()  # a cancelled or closed order takes no answers, old or new
        self._stale_response_recorded(kind, revision, self.revision, provenance)

    @event("StaleResponseRecorded", topic=f"{_T}.StaleResponseRecorded")
    def _stale_response_recorded(
        self, kind: str, answered_revision: int, current_revision: int, provenance: Provenance
    ) -> None:
        pass

    def propose_change(
        self, proposal: ChangeProposal, policy: TolerancePolicy, provenance: Provenance
    ) -> tuple[str, ...]:
        """Apply a change inside tolerance; escalate one outside. Returns the breaches."""
        self._require_open()
        self._require_current(proposal.revision)
        line = self.line(proposal.line_number)
        require(
            proposal.quantity is not None or proposal.need_by is not None or bool(proposal.splits),
            "proposal",
            "must change the quantity, the date or the split",
        )
        require(proposal.proposal_id not in self.proposals, "proposal_id", "already used")
        breaches = proposal.breaches(line, policy)
        if breaches:
            self._change_escalated(proposal, breaches, provenance)
        else:
            self._change_applied(proposal, provenance)
        return breaches

    @event("ChangeApplied", topic=f"{_T}.ChangeApplied")
    def _change_applied(self, proposal: ChangeProposal, provenance: Provenance) -> None:
        self.proposals[proposal.proposal_id] = proposal
        self.commitments[proposal.line_number] = tuple(
            proposal.commitment(self.lines[proposal.line_number])
        )

    @event("ChangeEscalated", topic=f"{_T}.ChangeEscalated")
    def _change_escalated(
        self, proposal: ChangeProposal, breaches: tuple[str, ...], provenance: Provenance
    ) -> None:
        self.proposals[proposal.proposal_id] = proposal

    def pending_proposal(self, proposal_id: str) -> ChangeProposal:
        try:
            proposal = self.proposals[proposal_id]
        except KeyError:
            raise NotFoundError("change proposal", proposal_id) from None
        if proposal.revision != self.revision:
            raise ConflictError(f"proposal {proposal_id} answers revision {proposal.revision}")
        return proposal

    def approve_change(self, proposal_id: str, provenance: Provenance) -> None:
        self._require_open()
        self.pending_proposal(proposal_id)
        self._change_approved(proposal_id, provenance)

    @event("ChangeApproved", topic=f"{_T}.ChangeApproved")
    def _change_approved(self, proposal_id: str, provenance: Provenance) -> None:
        proposal = self.proposals[proposal_id]
        self.commitments[proposal.line_number] = tuple(
            proposal.commitment(self.lines[proposal.line_number])
        )

    def reject_change(self, proposal_id: str, reason: str, provenance: Provenance) -> None:
        self.pending_proposal(proposal_id)
        self._change_rejected(proposal_id, reason, provenance)

    @event("ChangeRejected", topic=f"{_T}.ChangeRejected")
    def _change_rejected(self, proposal_id: str, reason: str, provenance: Provenance) -> None:
        pass

    # --- what other documents report against the lines ------------------------------------

    def record_shipment(
        self, asn_number: str, quantities: tuple[LineQuantity, ...], provenance: Provenance
    ) -> None:
        self._require_open()
        self._check_quantities(quantities)
        self._shipment_noticed(asn_number, quantities, provenance)

    @event("ShipmentNoticed", topic=f"{_T}.ShipmentNoticed")
    def _shipment_noticed(
        self, asn_number: str, quantities: tuple[LineQuantity, ...], provenance: Provenance
    ) -> None:
        _add(self.shipped, quantities)
        self.shipped_by_asn[asn_number] = quantities

    def record_receipt(
        self, receipt_number: str, quantities: tuple[LineQuantity, ...], provenance: Provenance
    ) -> None:
        self._require_open()
        self._check_quantities(quantities)
        self._goods_received(receipt_number, quantities, provenance)

    @event("GoodsReceived", topic=f"{_T}.GoodsReceived")
    def _goods_received(
        self, receipt_number: str, quantities: tuple[LineQuantity, ...], provenance: Provenance
    ) -> None:
        _add(self.received, quantities)

    def record_invoice(
        self, invoice_number: str, quantities: tuple[LineQuantity, ...], provenance: Provenance
    ) -> None:
        self._require_open()
        self._check_quantities(quantities)
        self._invoiced(invoice_number, quantities, provenance)

    @event("Invoiced", topic=f"{_T}.Invoiced")
    def _invoiced(
        self, invoice_number: str, quantities: tuple[LineQuantity, ...], provenance: Provenance
    ) -> None:
        _add(self.invoiced, quantities)

    # --- queries and guards ---------------------------------------------------------------

    def line(self, number: int) -> OrderLine:
        try:
            return self.lines[number]
        except KeyError:
            raise ValidationError(
                "line_number", f"line {number} is not on {self.number} revision {self.revision}"
            ) from None

    def over_shipped(
        self, numbers: Iterable[int], policy: TolerancePolicy, withdrawn: Iterable[str] = ()
    ) -> tuple[str, ...]:
        """The lines among `numbers` whose shipments, all ASNs together but the `withdrawn`
        ones (cancelled or replaced), exceed the ordered quantity by more than the supplier's
        quantity tolerance."""
        shipped_by_line = dict(self.shipped)
        for asn_number in withdrawn:
            for entry in self.shipped_by_asn.get(asn_number, ()):
                shipped_by_line[entry.line_number] -= entry.quantity
        found = []
        for number in numbers:
            ordered, shipped = self.line(number).quantity, shipped_by_line.get(number, Decimal(0))
            if shipped > ordered * (1 + policy.quantity_pct / 100):
                found.append(f"line {number}: shipped {shipped} in all against {ordered} ordered")
        return tuple(found)

    def open_quantity(self, number: int) -> Decimal:
        """Still to be received; an over-receipt is a variance fact, not a negative balance."""
        return max(Decimal(0), self.line(number).quantity - self.received.get(number, Decimal(0)))

    def _require_open(self) -> None:
        if self.status != "open":
            raise PurchaseOrderClosedError(f"purchase order {self.number} is {self.status}")

    def _require_current(self, revision: int) -> None:
        if revision != self.revision:
            raise ValidationError(
                "revision",
                f"{self.number} is at revision {self.revision}; revision {revision} does not exist",
            )

    def _check_quantities(self, quantities: tuple[LineQuantity, ...]) -> None:
        for index, entry in enumerate(quantities):
            self.line(entry.line_number)
            require(entry.quantity >= 0, f"lines[{index}].quantity", "must not be negative")

    def __repr__(self) -> str:
        return f"PurchaseOrder({self.number!r}, revision={self.revision}, status={self.status!r})"


def version_at_revision(events: Iterable[Aggregate.Event], revision: int) -> int | None:
    """The last version of the document before the ERP moved it past `revision`: the state
    an auditor means by "as at revision N". None when the order never had that revision."""
    version = None
    for recorded in events:
        name = type(recorded).__name__
        moved = name in ("Released", "Revised")
        current = 1 if name == "Released" else getattr(recorded, "revision", None)
        if moved and current is not None and current > revision:
            break
        if (moved and current == revision) or version is not None:
            version = recorded.originator_version
    return version


def _add(ledger: dict[int, Decimal], quantities: tuple[LineQuantity, ...]) -> None:
    for entry in quantities:
        ledger[entry.line_number] = ledger.get(entry.line_number, Decimal(0)) + entry.quantity


__all__ = ["PurchaseOrder", "PurchaseOrderClosedError"]
