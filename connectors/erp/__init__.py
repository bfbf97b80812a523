"""ERP adapters: one module per ERP behind the seam in `connectors/erp/seam.py`."""
