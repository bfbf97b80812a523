"""The channels: one folder per way a partner or system talks to the hub.

Each channel is a pure `translate(document, profile)` from its documents to the canonical
commands of `domain.commands` (and back for outbound), plus thin I/O loops that hand the
command to the hub and ack only after the hub accepted it. A channel's code lists live in its
own `codes.py`; commands carry the canonical status and keep the partner's code as data.

    nats/          the NATS JetStream relay, inbound command worker and dead letters
    workers/       the resilient loop and status every channel's worker runs in
    gateway/       shared by EDI and cXML: partner profiles, raw payloads, functional acks
    edi/x12/       ANSI X12 (850, 855, 856, 810, 997 ...)
    edi/edifact/   UN/EDIFACT (ORDERS, ORDRSP, DESADV, INVOIC, CONTRL ...)
    cxml/          cXML (OrderRequest out; confirmations, ship notices, invoices in)
    erp/           the ERP adapter seam; erp/<name>/ per ERP
    demo.py        a scenario playing the ERP and the suppliers of every channel
"""
