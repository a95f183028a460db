"""Views of the checked data: HTML fragments, generated pages, exports and the search documents."""
