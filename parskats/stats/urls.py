from django.urls import URLPattern, URLResolver, path

from . import token_views, views

app_name = "stats"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("area/<str:code>/", views.area, name="area"),
    path("library/<str:code>/", views.library, name="library"),
    path("export/<slug:key>.<str:fmt>", views.export, name="export"),
    path("api-tokens/", token_views.tokens, name="tokens"),
    path("api-tokens/<int:token_id>/revoke/", token_views.revoke, name="revoke_token"),
]
