"""Persistence: engine, models, spatial queries and migrations."""
