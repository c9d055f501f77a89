from django.contrib.auth import views as auth_views
from django.urls import path

from . import password_reset, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.RateLimitedLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", views.profile, name="profile"),
    path("me/data.json", views.my_data, name="my_data"),
    path("invitation/<str:token>/", views.accept_invitation, name="accept"),
    path("password/reset/", password_reset.ResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", password_reset.ResetSentView.as_view(), name="password_reset_sent"),
    path("password/reset/done/", password_reset.ResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", password_reset.ResetConfirmView.as_view(), name="password_reset_confirm"),
]
