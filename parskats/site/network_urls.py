from django.urls import path

from . import libraries_views as views

app_name = "network"
urlpatterns = [
    path("<slug:network>/", views.libraries, name="libraries"),
    path("<slug:network>/libraries/<str:code>/", views.library, name="library"),
]
