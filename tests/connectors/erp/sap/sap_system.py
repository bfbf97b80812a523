"""mock-sap, a third-party SAP Gateway simulator, run as a real process for the SAP tests.

A plain helper like ``tests/servers.py``: ``conftest.py`` wraps it in a session fixture. It
listens on 127.0.0.1 on a free port with HTTP basic authentication on, keeps everything in
memory, and is stopped at the end. The buyer's actions (a PO, a goods receipt) are plain
OData calls, as any SAP client would make them; faults go through the mock's control plane.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from servers import free_port, stop_process

_HOST = "127.0.0.1"
_START_TIMEOUT = 20.0
ODATA = "/sap/opu/odata/sap"
PO_SERVICE = f"{ODATA}/API_PURCHASEORDER_PROCESS_SRV"
GR_SERVICE = f"{ODATA}/API_MATERIAL_DOCUMENT_SRV"
BP_SERVICE = f"{ODATA}/API_BUSINESS_PARTNER_SRV"
JSON = {"Accept": "application/json"}


@dataclass(frozen=True)
class MockSap:
    url: str
    user: str
    password: str

    @contextlib.contextmanager
    def _session(self) -> Iterator[httpx.Client]:
        with httpx.Client(base_url=self.url, auth=(self.user, self.password), timeout=20) as sap:
            found = sap.get(f"{PO_SERVICE}/", headers={"X-CSRF-Token": "Fetch"})
            found.raise_for_status()
            sap.headers["X-CSRF-Token"] = found.headers["x-csrf-token"]
            sap.headers["Accept"] = "application/json"
            yield sap

    def create_supplier(self, number: str, name: str) -> None:
        with self._session() as sap:
            answer = sap.post(f"{BP_SERVICE}/A_BusinessPartner", json={
                "BusinessPartner": number, "Supplier": number, "BusinessPartnerCategory": "2",
                "BusinessPartnerFullName": name, "OrganizationBPName1": name,
            })  # fmt: skip
            answer.raise_for_status()

    def create_po(
        self, supplier: str, items: list[tuple[str, Decimal, Decimal]], ordered: date
    ) -> str:
        """A PO (created active, processing status 02) with (material, quantity, price) items."""
        stamp = int(datetime(ordered.year, ordered.month, ordered.day, tzinfo=UTC).timestamp())
        body = {
            "PurchaseOrderType": "NB", "CompanyCode": "1710", "PurchasingOrganization": "1710",
            "PurchasingGroup": "001", "Supplier": supplier, "DocumentCurrency": "EUR",
            "PurchaseOrderDate": f"/Date({stamp * 1000})/",
            "to_PurchaseOrderItem": [
                {"Material": m, "Plant": "1710", "OrderQuantity": str(q),
                 "PurchaseOrderQuantityUnit": "PC", "NetPriceAmount": str(p),
                 "NetPriceQuantity": "1", "PurchaseOrderItemText": f"Part {m}"}
                for m, q, p in items
            ],
        }  # fmt: skip
        with self._session() as sap:
            answer = sap.post(f"{PO_SERVICE}/A_PurchaseOrder", json=body)
            answer.raise_for_status()
            number: str = answer.json()["d"]["PurchaseOrder"]
            return number

    def change_quantity(self, po: str, item: str, quantity: Decimal) -> None:
        path = f"{PO_SERVICE}/A_PurchaseOrderItem(PurchaseOrder='{po}',PurchaseOrderItem='{item}')"
        with self._session() as sap:
            sap.patch(path, json={"OrderQuantity": str(quantity)}).raise_for_status()

    def receive(self, po: str, item: str, quantity: Decimal, material: str) -> str:
        body = {
            "ReferenceDocument": f"DN-{po}",
            "to_MaterialDocumentItem": [
                {"PurchaseOrder": po, "PurchaseOrderItem": item, "Material": material,
                 "Plant": "1710", "QuantityInEntryUnit": str(quantity), "EntryUnit": "PC"}
            ],
        }  # fmt: skip
        with self._session() as sap:
            answer = sap.post(f"{GR_SERVICE}/A_MaterialDocumentHeader", json=body)
            answer.raise_for_status()
            document: str = answer.json()["d"]["MaterialDocument"]
            return document

    def ordrsp_for(self, po: str) -> list[tuple[str, str]]:
        """(DOCNUM, payload) of every ORDRSP IDoc about `po`, oldest first."""
        listed = httpx.get(f"{self.url}/_mock/idocs?mestyp=ORDRSP&limit=1000", timeout=20)
        listed.raise_for_status()
        found = []
        with httpx.Client(base_url=self.url, auth=(self.user, self.password), timeout=20) as sap:
            for row in listed.json()["results"]:
                one = sap.get(
                    f"/sap/bc/idoc/{row['docnum']}", headers={"Accept": "application/json"}
                )
                one.raise_for_status()
                payload = str(_payload(one.json()))
                if f"<QUALF>001</QUALF><BELNR>{po}</BELNR>" in payload:
                    found.append((str(row["docnum"]), payload))
        return sorted(found)

    def supplier_invoices(self, supplier: str, reference: str) -> list[dict[str, Any]]:
        """The supplier invoices SAP holds from `supplier` under its invoice number."""
        query = (f"InvoicingParty eq '{supplier}' and "
                 f"SupplierInvoiceIDByInvcgParty eq '{reference}'")  # fmt: skip
        with self._session() as sap:
            answer = sap.get(
                f"{ODATA}/API_SUPPLIERINVOICE_PROCESS_SRV/A_SupplierInvoice",
                params={"$filter": query, "$expand": "to_SuplrInvcItemPurOrdRef"},
            )  # fmt: skip
            answer.raise_for_status()
            found: list[dict[str, Any]] = answer.json()["d"]["results"]
            return found

    def fault(self, **rule: Any) -> None:
        """A fault rule (`match` regex on the path, `method`, `scenario` or `status`, `count`)."""
        httpx.post(f"{self.url}/_mock/faults", json=rule, timeout=10).raise_for_status()

    def clear_faults(self) -> None:
        httpx.delete(f"{self.url}/_mock/faults", timeout=10).raise_for_status()


def _payload(found: dict[str, Any]) -> Any:
    return found.get("payload") or found.get("d", {}).get("payload") or found


@contextlib.contextmanager
def start_mock_sap(log_path: Path) -> Iterator[MockSap]:
    """Run ``mock-sap`` for the block; its access log goes to ``log_path``."""
    binary = Path(sys.executable).parent / "mock-sap"
    if not binary.is_file():
        raise RuntimeError(
            f"mock-sap is not installed next to {sys.executable}: pip install -e '.[dev]'"
        )
    port = free_port()
    mock = MockSap(f"http://{_HOST}:{port}", "hub", "s3cret-sap")
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [str(binary), "--host", _HOST, "--port", str(port), "--db", ":memory:",
             "--auth", f"{mock.user}:{mock.password}"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C on pytest must not reach it before teardown
        )  # fmt: skip
    try:
        deadline = time.monotonic() + _START_TIMEOUT
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"mock-sap exited with {proc.returncode}:\n{log_path.read_text()}"
                )
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{mock.url}/_mock/health", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"mock-sap did not answer within {_START_TIMEOUT:.0f}s")
            time.sleep(0.05)  # waiting for a process to start listening, not for a result
        yield mock
    finally:
        stop_process(proc, signal.SIGTERM)
