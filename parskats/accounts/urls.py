from django.contrib.auth import views as auth_views
from django.urls import path

from parskats.core.ratelimit import login_key, ratelimit

from . import views

app_name = "accounts"
urlpatterns = [
    path(
        "login/",
        ratelimit("login", key=login_key)(auth_views.LoginView.as_view(template_name="accounts/login.html")),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", views.profile, name="profile"),
]
