"""Per partner, one counter of interchange control numbers (``edi_control_numbers``) shared
by everything we write to it (orders, our functional acks): taken in the caller's transaction,
with the document that uses it, so a number is never reused nor skipped across restarts."""

from __future__ import annotations

from storage.database import Database, Transaction


def next_control(database: Database, tx: Transaction, partner: str) -> int:
    """The partner's next control number, in the caller's transaction."""
    tx.execute(
        "INSERT INTO edi_control_numbers (partner, last) VALUES (%s, 0) "
        "ON CONFLICT (partner) DO NOTHING",
        (partner,),
    )
    locked = tx.execute(
        "SELECT last FROM edi_control_numbers WHERE partner = %s" + database.lock("UPDATE"),
        (partner,),
    )
    control = int(locked[0][0]) + 1
    tx.execute("UPDATE edi_control_numbers SET last = %s WHERE partner = %s", (control, partner))
    return control
