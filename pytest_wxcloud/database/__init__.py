"""The in-memory cloud database: SDK-shaped builders over a MongoDB-semantics engine."""
