"""AS2 (RFC 4130): EDI over HTTP with S/MIME signing and encryption and signed receipts
(MDNs), through ``pyas2lib``. The interchange inside goes through the same gateway as any."""
