"""An approved quantity or price change is not written into SAP yet: the write-back refuses it
as a business refusal (a case for the buyer, saying what to do), never a crash of the worker
nor an endless retry."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connectors.erp.sap.odata import SapClient
from connectors.erp.sap.write import SapWriteBack
from connectors.erp.seam import ErpRefusedError, LineChange


def test_an_approved_change_for_sap_is_refused_naming_the_po_and_its_lines() -> None:
    # Given the SAP write-back (no call reaches SAP for this: nothing is sent)
    writer = SapWriteBack(SapClient("http://127.0.0.1:9"))
    changes = (LineChange(10, quantity=Decimal(4)), LineChange(20, unit_price=Decimal("2.5")))

    # When the buyer's approved change comes to it, Then it is a refusal the worker turns
    # into an erp_refused case, with what to change by hand
    with pytest.raises(ErpRefusedError, match=r"change 4500000001 \(line 10, 20\) in SAP"):
        writer.amend("4500000001", changes, revision=2)
