"""EDI partners: ANSI X12 (x12/) and UN/EDIFACT (edifact/), each reading and writing its own
syntax and translating its messages with a pure `translate(document, profile)`. What they
share with cXML (profiles, payload archive, functional acks) lives in connectors/gateway/."""
