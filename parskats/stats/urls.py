from django.urls import URLPattern, URLResolver, path

from . import explanation_views, impute_views, token_views, views

app_name = "stats"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("area/<str:code>/", views.area, name="area"),
    path("library/<str:code>/", views.library, name="library"),
    path("export/<slug:key>.<str:fmt>", views.export, name="export"),
    path("explanations/", explanation_views.explanations, name="explanations"),
    path("explanations.<str:fmt>", explanation_views.explanations_export, name="explanations_export"),
    path("imputation/", impute_views.imputation, name="imputation"),
    path("imputation/<int:run_id>/undo/", impute_views.undo, name="undo_imputation"),
    path("imputation/<int:run_id>/publish/", impute_views.publish, name="publish_preliminary"),
    path("api-tokens/", token_views.tokens, name="tokens"),
    path("api-tokens/<int:token_id>/revoke/", token_views.revoke, name="revoke_token"),
]
