"""REST for ERP connectors, one router per resource under /api/v1."""
