from django.urls import path

from parskats.core import converters  # noqa: F401  (registers <year:…>)

from . import views

app_name = "yearbook"
urlpatterns = [
    path("", views.index, name="index"),
    path("published/", views.published, name="published"),
    path("<year:year>/", views.editor, name="editor"),
    path("<year:year>/texts/", views.texts, name="texts"),
    path("<year:year>/s/<slug:code>/", views.section, name="section"),
    path("<year:year>/status/", views.status, name="status"),
    path("<year:year>/history/", views.history, name="history"),
    path("<year:year>/export.<str:fmt>", views.export, name="export"),
    path("<year:year>/exports/", views.export_job, name="export_job"),
    path("<year:year>/public/", views.public, name="public"),
    path("<year:year>/public/review.<str:fmt>", views.public_download, name="public_download"),
]
