from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("parskats.site.urls")),
    path("accounts/", include("parskats.accounts.urls")),
    path("n/", include("parskats.site.network_urls")),
    # Each domain app owns one prefix; the network slug comes first so access checks start there.
    path("n/<slug:network>/reports/", include("parskats.reporting.urls")),
    path("n/<slug:network>/review/", include("parskats.review.urls")),
    path("n/<slug:network>/figures/", include("parskats.stats.urls")),
    path("n/<slug:network>/seminars/", include("parskats.seminar.urls")),
    path("n/<slug:network>/annual-review/", include("parskats.yearbook.urls")),
    path("n/<slug:network>/pls/", include("parskats.pls.urls")),
    path("n/<slug:network>/jobs/", include("parskats.jobs.urls")),
    path("jaunumi/", include("parskats.news.urls")),
    path("", include("parskats.news.site_urls")),
    path("skaitli/<slug:network>/", include("parskats.stats.public_urls")),
    path("api/", include("parskats.stats.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
handler500 = "parskats.core.errors.server_error"
handler404 = "parskats.core.errors.page_not_found"
