"""Printed documents: PDFs rendered with WeasyPrint from Jinja templates, and the cache that keeps them.

The templates live in `portal/pdf/templates/pdf/` and render in the app's Jinja environment, so `_()`,
filters and context processors work as in any page; nothing needs registering on the app.
"""
