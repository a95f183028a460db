"""The data layer: read, validate and check data/ (no views, no generator)."""
