"""UN/EDIFACT: the interchange reader and writer, and one pure `translate(document, profile)`
per message (ORDRSP -> AcknowledgePurchaseOrder, DESADV -> SubmitShipNotice, INVOIC ->
SubmitInvoice; ORDERS / ORDCHG out). The directory's code lists the translators need are in
`codes.py`, data element by data element, each with its source. No I/O here but iterables of
bytes in and out: transports and the archive are the gateway's (connectors/gateway/).
"""
