from django.urls import URLPattern, URLResolver, path

from parskats.core import converters  # noqa: F401  (registers <year:…>)

from . import opendata, views

app_name = "public_stats"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.public_dashboard, name="dashboard"),
    path("teritorija/<str:code>/", views.public_area, name="area"),
    path("biblioteka/<str:code>/", views.public_library, name="library"),
    path("eksports/<slug:key>.<str:fmt>", views.public_export, name="export"),
    path("atvertie-dati/<year:year>/datapackage.zip", opendata.datapackage_zip, name="datapackage"),
]
