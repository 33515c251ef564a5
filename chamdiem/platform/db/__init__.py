"""The database: engine and sessions (engine.py), schema (models/), migrations kept in the
package (migrations/, run by migrate.py), bulk loading (bulk.py), stored value text (codec.py)."""
