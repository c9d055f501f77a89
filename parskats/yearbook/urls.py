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
    # A region's own review: the same pages under its code.
    path("r/<str:region>/<year:year>/", views.editor, name="region_editor"),
    path("r/<str:region>/<year:year>/texts/", views.texts, name="region_texts"),
    path("r/<str:region>/<year:year>/s/<slug:code>/", views.section, name="region_section"),
    path("r/<str:region>/<year:year>/status/", views.status, name="region_status"),
    path("r/<str:region>/<year:year>/history/", views.history, name="region_history"),
    path("r/<str:region>/<year:year>/export.<str:fmt>", views.export, name="region_export"),
    path("r/<str:region>/<year:year>/exports/", views.export_job, name="region_export_job"),
    path("r/<str:region>/<year:year>/public/", views.public, name="region_public"),
    path("r/<str:region>/<year:year>/public/review.<str:fmt>", views.public_download, name="region_public_download"),
]
