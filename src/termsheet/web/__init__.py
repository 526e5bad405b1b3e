"""The HTTP surface of termsheet: a JSON API, OpenID AuthZEN decisions, and pages for a person.

``create_app(Settings(agreements=...))`` gives the FastAPI application; ``termsheet serve`` runs it.
"""

from .app import Settings, create_app

__all__ = ["Settings", "create_app"]
