"""The JSON API root (django-ninja); each app contributes a router. OpenAPI at /api/docs."""

from ninja import NinjaAPI

api = NinjaAPI(title="Diaodu API", version="1", urls_namespace="api")
