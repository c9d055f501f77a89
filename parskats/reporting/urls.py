from django.urls import path

from parskats.core import converters  # noqa: F401  (registers <year:…>)

from . import views, views_parts, views_submit, views_xlsx

app_name = "reporting"
urlpatterns = [
    path("", views.index, name="index"),
    path("start/<int:period>/<int:unit>/", views.start, name="start"),
    path("upload/", views_xlsx.upload, name="upload"),
    path("period/<year:year>/workbook.xlsx", views_xlsx.download_region, name="region_xlsx"),
    path("<int:report>/", views.form, name="form"),
    path("<int:report>/value/<str:code>/", views.save_field, name="save_field"),
    path("<int:report>/copy-stable/", views.copy_stable, name="copy_stable"),
    path("<int:report>/submit/", views_submit.submit, name="submit"),
    path("<int:report>/submit/confirm/", views_submit.confirm_submit, name="confirm_submit"),
    path("<int:report>/withdraw/", views_submit.withdraw, name="withdraw"),
    path("<int:report>/print/", views_submit.print_view, name="print"),
    path("<int:report>/narrative/<slug:code>/", views_parts.save_narrative, name="save_narrative"),
    path("<int:report>/activities/", views_parts.add_activity, name="add_activity"),
    path("<int:report>/activities/compute/", views_parts.compute_events, name="compute_events"),
    path("<int:report>/activities/<int:activity>/delete/", views_parts.delete_activity, name="delete_activity"),
    path("<int:report>/photos/", views_parts.add_photo, name="add_photo"),
    path("<int:report>/photos/<int:photo>/delete/", views_parts.delete_photo, name="delete_photo"),
    path("<int:report>/explain/", views_parts.explain, name="explain"),
    path("<int:report>/report.xlsx", views_xlsx.download, name="xlsx"),
]
