from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "seminar"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.seminar_list, name="list"),
    path("new/", views.seminar_new, name="new"),
    path("<int:pk>/", views.seminar_detail, name="detail"),
    path("<int:pk>/edit/", views.seminar_edit, name="edit"),
    path("<int:pk>/agenda/", views.agenda, name="agenda"),
    path("<int:pk>/seminar.ics", views.calendar_file, name="ics"),
    path("<int:pk>/agenda/edit/", views.agenda_edit, name="agenda_edit"),
    path("<int:pk>/agenda/propose/", views.agenda_propose, name="propose"),
    path("<int:pk>/agenda/add/", views.item_add, name="item_add"),
    path("<int:pk>/agenda/<int:item_id>/move/", views.item_move, name="item_move"),
    path("<int:pk>/agenda/<int:item_id>/edit/", views.item_edit, name="item_edit"),
    path("<int:pk>/agenda/<int:item_id>/remove/", views.item_remove, name="item_remove"),
    path("<int:pk>/guests/", views.guest_add, name="guest_add"),
    path("<int:pk>/guests/<int:guest_id>/remove/", views.guest_remove, name="guest_remove"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/deck.pptx", views.deck, name="deck"),
    path("<int:pk>/handout.pdf", views.handout, name="handout"),
    path("<int:pk>/pack/", views.pack_job, name="pack_job"),
    path("<int:pk>/news/", views.write_news, name="news"),
]
