"""Editors' tools: format, scaffold and import data files."""
