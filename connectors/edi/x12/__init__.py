"""ANSI X12: the interchange reader and writer, and one pure `translate(document, profile)` per
transaction set (855 -> AcknowledgePurchaseOrder, 856 -> SubmitShipNotice, 810 -> SubmitInvoice;
850 / 860 out). The standard's code lists the translators need are in `codes.py`, element by
element, each with its source. No I/O here but iterables of bytes in and out: transports and
the archive are the gateway's (connectors/gateway/) and the worker's.
"""
