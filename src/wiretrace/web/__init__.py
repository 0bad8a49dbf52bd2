"""The web face of wiretrace: ``wiretrace serve`` (pages and the HTTP API); see ``app.py``."""
