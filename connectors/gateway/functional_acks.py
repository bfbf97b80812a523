"""Functional-ack bookkeeping, both ways, in the store beside the documents sent:

- ``edi_acks_out``: our 997 / CONTRL for each interchange a partner sent (key: its sender and
  control number), written once with the partner's next control number; ``sent`` says whether
  the worker has delivered it (an ack written by ``POST /api/v1/edi`` waits for it). The same
  interchange again marks the same ack to be sent again.
- ``edi_acks_expected``: each order document we sent (partner, our GS06 / UNB 0020), when, the
  partner's verdict once its 997 / CONTRL names it, and whether an overdue case was opened
  (its key, so a late ack resolves it).
- ``edi_interchange_acks``: each TA1 a partner sent about one of our interchanges (partner,
  our ISA13, TA104, TA105, when). A TA1 that accepts leaves the document awaiting its 997; one
  that rejects is the document's verdict as a rejecting 997 is (``matched``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from connectors.gateway.control_numbers import next_control
from storage.database import Database, Transaction


@dataclass(frozen=True, slots=True)
class Expected:
    """An order document sent that awaits (or got) the partner's functional ack."""

    partner: str
    control: int
    po_number: str
    document: str  # "850 12", "ORDERS 12"
    sent_at: datetime
    result: str  # "" until acknowledged; "accepted" / "rejected"
    case: str  # the overdue case's key, "" if none was opened
    detail: str = ""  # what the partner's ack said of it
    acked_at: str = ""  # when its ack came (ISO 8601), "" until then


class FunctionalAcks:
    def __init__(self, database: Database) -> None:
        self._db = database
        with self._db.transaction() as tx:
            tx.execute(
                "CREATE TABLE IF NOT EXISTS edi_acks_out (interchange TEXT PRIMARY KEY, "
                "partner TEXT NOT NULL, control BIGINT NOT NULL, "
                f"ack {database.blob} NOT NULL, at TEXT NOT NULL, sent INTEGER NOT NULL)"
            )
            tx.execute(
                "CREATE TABLE IF NOT EXISTS edi_acks_expected (partner TEXT NOT NULL, "
                "control BIGINT NOT NULL, po_number TEXT NOT NULL, document TEXT NOT NULL, "
                "sent_at TEXT NOT NULL, result TEXT NOT NULL, detail TEXT NOT NULL, "
                "acked_at TEXT NOT NULL, a_case TEXT NOT NULL, PRIMARY KEY (partner, control))"
            )
            tx.execute(  # an order's trace reads its documents
                "CREATE INDEX IF NOT EXISTS edi_acks_expected_po ON edi_acks_expected (po_number)"
            )
            tx.execute(
                "CREATE TABLE IF NOT EXISTS edi_interchange_acks (partner TEXT NOT NULL, "
                "control BIGINT NOT NULL, code TEXT NOT NULL, note TEXT NOT NULL, "
                "at TEXT NOT NULL, PRIMARY KEY (partner, control, code, note))"
            )

    # --- ours, for what the partner sent ------------------------------------------------------

    def ours(self, interchange: str, partner: str, at: datetime, write: Callable[[int], bytes],
             parked: tuple[str, str] | None = None) -> bytes:  # fmt: skip
        """Our ack for the partner's ``interchange`` ("<sender>:<control>"): written now with
        the partner's next control number, or as first written (and due to be sent again).
        ``parked`` (ref, reason): some of its sets were refused; listed with `edi parked`."""
        with self._db.transaction() as tx:
            kept = tx.execute("SELECT ack FROM edi_acks_out WHERE interchange = %s", (interchange,))
            if kept:
                again = "UPDATE edi_acks_out SET sent = 0 WHERE interchange = %s"
                tx.execute(again, (interchange,))
                return bytes(kept[0][0])
            control = next_control(self._db, tx, partner)
            ack = write(control)
            tx.execute(
                "INSERT INTO edi_acks_out (interchange, partner, control, ack, at, sent) "
                "VALUES (%s, %s, %s, %s, %s, 0)",
                (interchange, partner, control, ack, at.isoformat()),
            )
            if parked is not None:  # edi_parked: OutboundDocuments' table, in the same store
                tx.execute(
                    "INSERT INTO edi_parked (ref, partner, reason, at, ack) "
                    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (ref) DO NOTHING",
                    (parked[0], partner, parked[1], at.isoformat(), ack),
                )
        return ack

    def unsent(self) -> list[tuple[str, str, bytes]]:
        """(interchange, partner, ack) of each of our acks not yet delivered, oldest first."""
        with self._db.transaction() as tx:
            rows = tx.execute(
                "SELECT interchange, partner, ack FROM edi_acks_out WHERE sent = 0 "
                "ORDER BY control, interchange"
            )
        return [(str(i), str(p), bytes(a)) for i, p, a in rows]

    def written(self) -> list[tuple[str, str, int, bool]]:
        """(interchange, partner, control, delivered) of each of our acks, in control order."""
        with self._db.transaction() as tx:
            rows = tx.execute(
                "SELECT interchange, partner, control, sent FROM edi_acks_out ORDER BY control"
            )
        return [(str(i), str(p), int(c), bool(sent)) for i, p, c, sent in rows]

    def delivered(self, interchange: str) -> None:
        with self._db.transaction() as tx:
            tx.execute("UPDATE edi_acks_out SET sent = 1 WHERE interchange = %s", (interchange,))

    # --- theirs, for what we sent -------------------------------------------------------------

    def expect(self, partner: str, control: int, po_number: str, document: str,
               at: datetime) -> None:  # fmt: skip
        """An order document went out: its functional ack is due (the first send counts)."""
        with self._db.transaction() as tx:
            tx.execute(
                "INSERT INTO edi_acks_expected (partner, control, po_number, document, sent_at, "
                "result, detail, acked_at, a_case) VALUES (%s, %s, %s, %s, %s, '', '', '', '') "
                "ON CONFLICT (partner, control) DO NOTHING",
                (partner, control, po_number, document, at.isoformat()),
            )

    def matched(self, partner: str, reference: str, result: str, detail: str,
                at: datetime) -> Expected | None:  # fmt: skip
        """The document the partner's ack names (our GS06 / UNB 0020 = ``reference``), once:
        its verdict recorded; None if it names nothing we await (unknown, or already)."""
        if not (reference.isascii() and reference.isdigit()):
            return None
        control = int(reference)
        with self._db.transaction() as tx:
            found = self._rows(tx, "partner = %s AND control = %s AND result = ''",
                               (partner, control))  # fmt: skip
            if not found:
                return None
            tx.execute(
                "UPDATE edi_acks_expected SET result = %s, detail = %s, acked_at = %s "
                "WHERE partner = %s AND control = %s",
                (result, detail[:1000], at.isoformat(), partner, control),
            )
        return found[0]

    def interchange_acked(self, partner: str, reference: str, code: str, note: str,
                          at: datetime) -> bool:  # fmt: skip
        """A partner's TA1 (TA104 ``code``, TA105 ``note``) on our interchange ``reference``
        (ISA13), kept once; whether it names one of our documents."""
        if not (reference.isascii() and reference.isdigit()):
            return False
        control = int(reference)
        with self._db.transaction() as tx:
            if not tx.execute(
                "SELECT 1 FROM edi_acks_expected WHERE partner = %s AND control = %s",
                (partner, control),
            ):
                return False
            tx.execute(
                "INSERT INTO edi_interchange_acks (partner, control, code, note, at) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (partner, control, code, note, at.isoformat()),
            )
        return True

    def interchange_acks(self) -> list[tuple[str, int, str, str]]:
        """(partner, our ISA13, TA104, TA105) of each TA1 on our interchanges, in order."""
        with self._db.transaction() as tx:
            rows = tx.execute(
                "SELECT partner, control, code, note FROM edi_interchange_acks "
                "ORDER BY at, partner, control"
            )
        return [(str(p), int(c), str(code), str(n)) for p, c, code, n in rows]

    def overdue(self, now: datetime, minutes: Callable[[str], int | None]) -> list[Expected]:
        """Documents still unacknowledged ``minutes(partner)`` after they went out, for which
        no case is open yet (a partner with None expects no ack)."""
        with self._db.transaction() as tx:
            waiting = self._rows(tx, "result = '' AND a_case = ''", ())
        due = []
        for each in waiting:
            within = minutes(each.partner)
            if within is not None and each.sent_at + timedelta(minutes=within) <= now:
                due.append(each)
        return due

    def flagged(self, partner: str, control: int, case: str) -> None:
        with self._db.transaction() as tx:
            tx.execute(
                "UPDATE edi_acks_expected SET a_case = %s WHERE partner = %s AND control = %s",
                (case, partner, control),
            )

    def expected(self) -> list[Expected]:
        """Every order document sent, with its verdict so far, in order."""
        with self._db.transaction() as tx:
            return self._rows(tx, "1 = 1", ())

    def for_order(self, po_number: str) -> list[Expected]:
        """The documents sent about one order (its 850s / ORDERS and changes), in order."""
        with self._db.transaction() as tx:
            return self._rows(tx, "po_number = %s", (po_number,))

    @staticmethod
    def _rows(tx: Transaction, where: str, args: tuple[object, ...]) -> list[Expected]:
        rows = tx.execute(
            "SELECT partner, control, po_number, document, sent_at, result, a_case, detail, "
            f"acked_at FROM edi_acks_expected WHERE {where} ORDER BY sent_at, partner, control",
            args,
        )
        return [Expected(str(p), int(c), str(po), str(d), _time(s), *map(str, rest))
                for p, c, po, d, s, *rest in rows]  # fmt: skip


def _time(value: object) -> datetime:
    return datetime.fromisoformat(str(value))
