"""SAP S/4HANA over OData V2 and IDocs: the client, the reader with its pure translation,
the writer and the worker (docs/erp.md, "SAP S/4HANA")."""
