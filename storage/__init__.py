"""How events and views are stored and read fast."""
