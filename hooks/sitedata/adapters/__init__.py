"""Adapters: each hands the core's Build to one generator, named after what it adapts.

- mkdocs_plugin: MkDocs 1.x and ProperDocs, with Material for MkDocs and mkdocs-macros.
- plain_tree: any generator, through a plain docs tree (`python -m sitedata prebuild DIR`).
"""
