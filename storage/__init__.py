"""How events and views are stored and read fast: the event codec, the recorder, bulk import,
the one SQLite/PostgreSQL connection and dialect module. Used by projections, connectors and
the composition root; never by the domain."""
