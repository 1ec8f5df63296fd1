"""The HTML page: views of the analysis per section, and rendering them with Jinja."""
