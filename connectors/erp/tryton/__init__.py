"""The Tryton 8.2 adapter: JSON-RPC client, change reader and pure translation (docs/erp.md)."""
