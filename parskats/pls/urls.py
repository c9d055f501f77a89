from django.urls import URLPattern, URLResolver

app_name = "pls"
urlpatterns: list[URLPattern | URLResolver] = []
