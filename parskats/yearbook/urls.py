from django.urls import URLPattern, URLResolver

app_name = "yearbook"
urlpatterns: list[URLPattern | URLResolver] = []
