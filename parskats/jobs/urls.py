from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "jobs"
urlpatterns: list[URLPattern | URLResolver] = [
    path("<str:job>/", views.status, name="status"),
    path("<str:job>/cancel/", views.cancel, name="cancel"),
    path("<str:job>/resume/", views.resume, name="resume"),
    path("<str:job>/files/<str:name>", views.download, name="download"),
]
