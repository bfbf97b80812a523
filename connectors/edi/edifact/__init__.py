"""UN/EDIFACT (ISO 9735): reading and writing interchanges, and the documents the hub sends."""
