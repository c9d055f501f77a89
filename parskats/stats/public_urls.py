from django.urls import URLPattern, URLResolver

app_name = "public_stats"
urlpatterns: list[URLPattern | URLResolver] = []
