from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

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
    # Choosing the language changes nothing but the reader's own cookie, so it takes no CSRF token:
    # every page carries the switch, and a token in it would keep public pages out of the cache.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]
handler500 = "parskats.core.errors.server_error"
handler404 = "parskats.core.errors.page_not_found"
