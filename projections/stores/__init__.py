"""The view tables: the common SQL and its SQLite and PostgreSQL writers."""
