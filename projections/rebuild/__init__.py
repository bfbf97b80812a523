"""Rebuilding a view: the blue/green switch, the building mode, and parts in other processes."""
