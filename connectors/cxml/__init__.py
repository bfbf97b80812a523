"""cXML partners (issue 14): `ConfirmationRequest`, `ShipNoticeRequest` and
`InvoiceDetailRequest` in, `OrderRequest` out, each a pure `translate(document, profile)`
over safely parsed XML; the status words the translators need are in `codes.py`. Profiles,
the payload archive and idempotency are the gateway's (connectors/gateway/); HTTP is a thin
loop around them.
"""
