from django.urls import path

from parskats.core import media

from . import metrics, views

app_name = "site"
urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("metrics", metrics.metrics, name="metrics"),
    # Uploaded files, each after the access check of the app that owns its folder (core.media).
    path("media/<path:name>", media.serve, name="media"),
]
