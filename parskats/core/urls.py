from django.urls import path

from . import errors, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("health/", errors.health, name="health"),
]
