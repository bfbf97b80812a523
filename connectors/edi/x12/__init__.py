"""ANSI ASC X12: reading and writing interchanges, and the documents the hub sends."""
