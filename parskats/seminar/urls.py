from django.urls import URLPattern, URLResolver

app_name = "seminar"
urlpatterns: list[URLPattern | URLResolver] = []
