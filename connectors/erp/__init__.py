"""The ERP adapter seam (issue 15): what the hub needs from any ERP (changes since a cursor:
POs, revisions, cancellations, receipts, invoice states, master data) and writes back to it
(confirmations, approved changes, invoices to post), as a small typed interface with a pure
translation on each side. One folder per ERP, `erp/<name>/` (tryton/, sap/), holds its
client and its mapping; the thin loops are tracked subscribers of the event log.

`codes.py` holds the ERP vocabulary the hub speaks with ERP connectors today (the answer
codes a connector may send over NATS); an adapter with its own vocabulary keeps it in its
folder.
"""
