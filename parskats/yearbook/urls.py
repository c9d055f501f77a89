from django.urls import path

from . import views

app_name = "yearbook"
urlpatterns = [
    path("", views.index, name="index"),
    path("published/", views.published, name="published"),
    path("<int:year>/", views.editor, name="editor"),
    path("<int:year>/texts/", views.texts, name="texts"),
    path("<int:year>/s/<slug:code>/", views.section, name="section"),
    path("<int:year>/status/", views.status, name="status"),
    path("<int:year>/history/", views.history, name="history"),
    path("<int:year>/export.<str:fmt>", views.export, name="export"),
    path("<int:year>/exports/", views.export_job, name="export_job"),
    path("<int:year>/public/", views.public, name="public"),
    path("<int:year>/public/review.<str:fmt>", views.public_download, name="public_download"),
]
