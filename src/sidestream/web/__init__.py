"""Server-rendered web pages (Jinja2 + htmx) on the same services as the REST API."""
