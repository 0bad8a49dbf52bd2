"""store layer: the embedded SQLite store; the only module that writes the database."""
