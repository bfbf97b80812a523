"""How events and views are stored and read, under projections, connectors and supplyhub."""
