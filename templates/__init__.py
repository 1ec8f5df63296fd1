"""The report's Jinja templates, shipped as the package `report.templates`."""
