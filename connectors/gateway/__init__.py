"""The partner gateway shared by EDI and cXML partners (issues 13 and 14 fill it).

What goes here: trading-partner profiles (event-sourced, versioned, rolled back), the raw
payload archive (every document in and out, byte for byte, content-addressed), and the
functional-acknowledgement bookkeeping (997 / CONTRL expected and sent, control numbers per
partner). What does not: any one standard's syntax or codes (connectors/edi/, connectors/cxml/).
The rule: pure functions over a profile and a document; I/O (files, the store, HTTP) only in
the thin loops that call them.
"""
