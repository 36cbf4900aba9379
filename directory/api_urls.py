app_name = "api"

urlpatterns: list = [
    # /api/v1/...: read-only JSON API; /api/schema/: OpenAPI
]
