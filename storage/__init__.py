"""Storage: the database tables, the engine, and the readers that turn sources into articles."""
