from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "pls"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("surveys/", views.survey_list, name="surveys"),
    path("surveys/<slug:code>/", views.survey, name="survey"),
]
