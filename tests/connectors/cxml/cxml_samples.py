"""cXML documents for the tests, written as suppliers write them (cXML User's Guide 1.2)."""

from __future__ import annotations

from connectors.cxml.secret import hash_secret
from connectors.gateway.profile import CxmlTerms, Dialect, PartnerProfile, PartyAddress

SECRET = "abracadabra"
PROFILE = PartnerProfile(
    partner="acme-cxml",
    supplier="SUP-ACME",
    dialect=Dialect.CXML,
    version="1.2.050",
    ours=PartyAddress("NetworkId", "AN-HUB"),
    theirs=PartyAddress("DUNS", "123456789"),
    units=(("EA", "EA"), ("BOX", "BX")),
    cxml=CxmlTerms(
        sender=PartyAddress("NetworkId", "AN-ACME"),
        secret_hash=hash_secret(SECRET, iterations=1000),
        endpoint="http://127.0.0.1:9/cxml",
    ),
)


def envelope(request: str, payload_id: str = "1.2@acme.example", secret: str = SECRET) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.050/Fulfill.dtd">
<cXML payloadID="{payload_id}" timestamp="2026-12-04T10:00:00+00:00">
  <Header>
    <From><Credential domain="DUNS"><Identity>123456789</Identity></Credential></From>
    <To><Credential domain="NetworkId"><Identity>AN-HUB</Identity></Credential></To>
    <Sender>
      <Credential domain="NetworkId"><Identity>AN-ACME</Identity>
        <SharedSecret>{secret}</SharedSecret></Credential>
      <UserAgent>Acme Order Desk</UserAgent>
    </Sender>
  </Header>
  <Request>{request}</Request>
</cXML>""".encode()


def confirmation(
    po: str = "PO-77", header_type: str = "detail", items: str = "", revision: int = 1
) -> str:
    items = (
        items
        or """
    <ConfirmationItem lineNumber="1" quantity="10">
      <UnitOfMeasure>EA</UnitOfMeasure>
      <ConfirmationStatus type="accept" quantity="10"><UnitOfMeasure>EA</UnitOfMeasure>
      </ConfirmationStatus>
    </ConfirmationItem>
    <ConfirmationItem lineNumber="2" quantity="10">
      <UnitOfMeasure>EA</UnitOfMeasure>
      <ConfirmationStatus type="detail" quantity="8" deliveryDate="2026-12-22T00:00:00+00:00">
        <UnitOfMeasure>EA</UnitOfMeasure>
        <UnitPrice><Money currency="USD">2.40</Money></UnitPrice>
      </ConfirmationStatus>
    </ConfirmationItem>"""
    )
    return f"""<ConfirmationRequest>
    <ConfirmationHeader type="{header_type}" noticeDate="2026-12-04T10:00:00+00:00"/>
    <OrderReference orderID="{po}">
      <DocumentReference payloadID="supplyhub:{po}:{revision}:new@hub.example"/>
    </OrderReference>{items}
  </ConfirmationRequest>"""


def ship_notice(po: str = "PO-77", asn: str = "ASN-1", quantity: str = "10") -> str:
    return f"""<ShipNoticeRequest>
    <ShipNoticeHeader shipmentID="{asn}" noticeDate="2026-12-05T08:00:00+00:00"
        shipmentDate="2026-12-05T08:00:00+00:00" deliveryDate="2026-12-08T09:00:00+00:00"/>
    <ShipControl>
      <CarrierIdentifier domain="SCAC">FDE</CarrierIdentifier>
      <ShipmentIdentifier>8202 8261 1194</ShipmentIdentifier>
    </ShipControl>
    <ShipNoticePortion>
      <OrderReference orderID="{po}"><DocumentReference payloadID="x"/></OrderReference>
      <ShipNoticeItem lineNumber="1" quantity="{quantity}">
        <ItemID><SupplierPartID>P-1</SupplierPartID><BuyerPartID>ITEM-1</BuyerPartID></ItemID>
        <UnitOfMeasure>EA</UnitOfMeasure>
        <Packaging><ShippingContainerSerialCode>003456789012345678</ShippingContainerSerialCode>
        </Packaging>
        <Batch><SupplierBatchID>LOT-9</SupplierBatchID></Batch>
      </ShipNoticeItem>
    </ShipNoticePortion>
  </ShipNoticeRequest>"""


def invoice(po: str = "PO-77", number: str = "INV-1", price: str = "2.50") -> str:
    return f"""<InvoiceDetailRequest>
    <InvoiceDetailRequestHeader invoiceID="{number}" purpose="standard" operation="new"
        invoiceDate="2026-12-09T00:00:00+00:00"/>
    <InvoiceDetailOrder>
      <InvoiceDetailOrderInfo><OrderReference orderID="{po}">
        <DocumentReference payloadID="x"/></OrderReference></InvoiceDetailOrderInfo>
      <InvoiceDetailItem invoiceLineNumber="1" quantity="10">
        <UnitOfMeasure>EA</UnitOfMeasure>
        <UnitPrice><Money currency="USD">{price}</Money></UnitPrice>
        <InvoiceDetailItemReference lineNumber="1"/>
      </InvoiceDetailItem>
    </InvoiceDetailOrder>
    <InvoiceDetailSummary><SubtotalAmount><Money currency="USD">25.00</Money></SubtotalAmount>
      <Tax><Money currency="USD">0</Money><Description xml:lang="en">none</Description></Tax>
      <NetAmount><Money currency="USD">25.00</Money></NetAmount></InvoiceDetailSummary>
  </InvoiceDetailRequest>"""
