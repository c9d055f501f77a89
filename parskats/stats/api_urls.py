from django.urls import URLPattern, URLResolver, path

from . import api

app_name = "api"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", api.root, name="root"),
    path("openapi.json", api.openapi, name="openapi"),
    path("networks/", api.networks, name="networks"),
    path("networks/<slug:network>/units/", api.units, name="units"),
    path("networks/<slug:network>/indicators/", api.indicators, name="indicators"),
    path("networks/<slug:network>/values/", api.values, name="values"),
    path("networks/<slug:network>/aggregates/", api.aggregates, name="aggregates"),
]
