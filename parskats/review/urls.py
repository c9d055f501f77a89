from django.urls import path

from . import libraries_views, people_views, views

app_name = "review"
urlpatterns = [
    path("", views.board, name="board"),
    path("board.xlsx", views.board_xlsx, name="board_xlsx"),
    path("approve/", views.approve_many, name="approve_many"),
    path("accept/", views.accept_many, name="accept_many"),
    path("reports/<int:report_id>/", views.review, name="review"),
    path("reports/<int:report_id>/comment/", views.comment, name="comment"),
    path("reports/<int:report_id>/return/", views.return_view, name="return"),
    path("reports/<int:report_id>/approve/", views.approve, name="approve"),
    path("reports/<int:report_id>/accept/", views.accept, name="accept"),
    path("reports/<int:report_id>/return-to-area/", views.return_to_area_view, name="return_to_area"),
    path("reports/<int:report_id>/reopen/", views.reopen, name="reopen"),
    path("reports/<int:report_id>/feedback/", views.feedback, name="feedback"),
    path("reports/<int:report_id>/history/", views.history, name="history"),
    path("reports/<int:report_id>/history/<slug:target>/", views.value_history, name="value_history"),
    path("people/", people_views.people, name="people"),
    path("people/invite/", people_views.invite, name="invite"),
    path("people/roles/<int:role_id>/remove/", people_views.remove_role, name="remove_role"),
    path("libraries/", libraries_views.libraries, name="libraries"),
    path("libraries/<slug:code>/", libraries_views.library, name="library"),
    path("years/", people_views.years, name="years"),
    path("years/<int:period_id>/", people_views.edit_year, name="edit_year"),
]
