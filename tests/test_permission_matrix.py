"""The permission matrix, generated from the URL configuration.

Every named URL pattern must have a row in ACCESS below saying what each persona gets, for an
object of library A / network "testa" ("own") and, where the URL names an object, for library B's
object or another network's ("other"). A new view without a row fails `test_every_url_has_a_row`.

How to add a row (one line per URL name):

    "app:name": Row({"network": "{network}", "pk": "{report_a}"}, other={"pk": "{report_b}"},
                    anon=LOGIN, reporter_a=(OK, NOT_FOUND), reporter_b=(NOT_FOUND, OK), ...),

- The first argument holds the URL kwargs for the "own" object; `other` overrides some of them for the
  "other" object (leave it out when the URL names no object). "{…}" placeholders come from
  `objects()` below — add a line there when your view needs a new kind of object.
- Per persona the expected answer is one outcome, or a pair (own, other): OK (200), LOGIN (302 to the
  login page), REDIRECT (302 elsewhere), FORBIDDEN (403), NOT_FOUND (404), GONE_METHOD (405).
  A persona left out defaults to `default`. A 500 always fails.
- `method="post"` and `data={…}` for actions; `prefix` rows ("admin:*") cover a whole namespace.
- Roles over a part of the map: `part_methodologist_a` holds the methodologist's role over Valmiera
  county (library A's county from 1 July 2021, so for its 2021 report but not its 2020 one),
  `part_methodologist_b` over Valka county (library B's), `part_viewer_a` a viewer's role over
  Valmiera county. Left out, they get what reporter_a / reporter_b / reporter_a get: a person of the
  network who sees one part of it. Rows say where they get more (the board, the review) or less.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from parskats.accounts.models import Role, User
from parskats.catalogue.models import NarrativeSection
from parskats.reporting.models import Activity, Photo, ReportingPeriod
from parskats.stats.models import ImputationRun, issue_token

from .factories import World, give_role, matrix_objects, report_with, user

OK, LOGIN, REDIRECT, FORBIDDEN, NOT_FOUND, GONE_METHOD = "200", "login", "302", "403", "404", "405"
INVALID = "400"  # a form posted with errors, shown again: the user got past the access check
GONE = "410"  # a used, expired or unknown invitation link
PERSONAS = (
    "anon", "reporter_a", "reporter_b", "methodologist", "viewer", "other_methodologist",
    "part_methodologist_a", "part_methodologist_b", "part_viewer_a",
)  # fmt: skip
# Whom a persona over a part of the map is like where its row says nothing of it.
PART_LIKE = {"part_methodologist_a": "reporter_a", "part_methodologist_b": "reporter_b", "part_viewer_a": "reporter_a"}
Outcome = str | tuple[str, str]


@dataclass
class Row:
    kwargs: dict[str, str] = field(default_factory=dict)
    other: dict[str, str] | None = None
    default: Outcome = NOT_FOUND
    method: str = "get"
    data: dict[str, str] | None = None
    login_url: str = "/accounts/login/"
    anon: Outcome | None = None
    reporter_a: Outcome | None = None
    reporter_b: Outcome | None = None
    methodologist: Outcome | None = None
    viewer: Outcome | None = None
    other_methodologist: Outcome | None = None
    part_methodologist_a: Outcome | None = None
    part_methodologist_b: Outcome | None = None
    part_viewer_a: Outcome | None = None

    def expected(self, persona: str) -> tuple[str, str | None]:
        outcome = getattr(self, persona)
        if outcome is None and persona in PART_LIKE:
            outcome = getattr(self, PART_LIKE[persona])
        outcome = self.default if outcome is None else outcome
        own, other = outcome if isinstance(outcome, tuple) else (outcome, outcome)
        return own, (other if self.other is not None else None)


NETWORK = {"network": "{network}"}
# Who reads a region's own review: the whole network's methodologist and viewer, and the people with
# roles over the region's counties (not its reporters, who see only what is published).
REGION_READERS = {
    "methodologist": OK,
    "viewer": OK,
    "part_methodologist_a": OK,
    "part_methodologist_b": OK,
    "part_viewer_a": OK,
}
REPORT_A = {**NETWORK, "report": "{report_a}"}
REPORT_B = {"report": "{report_b}"}
# Changing a report: its library's reporter and the methodologist only.
# A part's methodologist writes as the reporter of a library in her part does; a part's viewer only reads.
WRITE_A = {"anon": LOGIN, "reporter_a": (OK, NOT_FOUND), "reporter_b": (NOT_FOUND, OK), "methodologist": OK,
           "part_viewer_a": NOT_FOUND}  # fmt: skip
# Reading a report: the same people and the network's viewers (of the whole, or of the library's part).
READ_A = {**WRITE_A, "viewer": OK, "part_viewer_a": (OK, NOT_FOUND)}
# The same for a form post without htmx: back to the report form.
WRITE_A_THEN_FORM = {**WRITE_A, "reporter_a": (REDIRECT, NOT_FOUND), "reporter_b": (NOT_FOUND, REDIRECT)}
# Reviewing library A's (or B's) 2021 report: the network's methodologist and the part's.
REVIEW_A = {"anon": LOGIN, "methodologist": REDIRECT, "part_methodologist_a": (REDIRECT, NOT_FOUND),
            "part_methodologist_b": (NOT_FOUND, REDIRECT), "part_viewer_a": NOT_FOUND}  # fmt: skip
NATIONAL = {"anon": LOGIN, "methodologist": REDIRECT, "part_methodologist_a": NOT_FOUND,
            "part_methodologist_b": NOT_FOUND, "part_viewer_a": NOT_FOUND}  # fmt: skip
# The board: the network's methodologist and viewers, and those of a part (who see that part).
BOARD = {"part_methodologist_a": (OK, NOT_FOUND), "part_methodologist_b": (OK, NOT_FOUND),
         "part_viewer_a": (OK, NOT_FOUND)}  # fmt: skip
WRITE_A_THEN_FORM["methodologist"] = REDIRECT
# A member of the network who is not its methodologist: refused (403); elsewhere not even told (404).
NOT_ADMIN = dict.fromkeys(("reporter_a", "reporter_b", "viewer"), (FORBIDDEN, NOT_FOUND))
ADMIN_KWARGS = {"app_label": "accounts", "object_id": "1", "id": "1", "content_type_id": "1"}

ACCESS: dict[str, Row] = {
    "site:home": Row(default=OK, viewer=REDIRECT),
    "site:health": Row(default=OK),
    # Without PARSKATS_METRICS_TOKEN the metrics are no page at all (tests/test_operations.py gives one).
    "site:metrics": Row(default=NOT_FOUND),
    # A job is seen by whoever started it and the network's methodologist; these were started by nobody
    # (a command), so only the methodologist of the job's own network sees them.
    "jobs:status": Row({**NETWORK, "job": "{job}"}, other={"network": "{other_network}", "job": "{other_job}"},
        anon=LOGIN, methodologist=(OK, NOT_FOUND), other_methodologist=(NOT_FOUND, OK)),
    "jobs:download": Row({**NETWORK, "job": "{job}", "name": "deck.pptx"},
        other={"network": "{other_network}", "job": "{other_job}", "name": "deck.pptx"},
        anon=LOGIN, methodologist=(OK, NOT_FOUND), other_methodologist=(NOT_FOUND, OK)),
    # A draft report's photo file: those who may read the report, nobody else (not even a login page).
    "site:media": Row({"name": "{photo_a_file}"}, other={"name": "{photo_b_file}"}, reporter_a=(OK, NOT_FOUND),
        reporter_b=(NOT_FOUND, OK), methodologist=OK, viewer=OK),
    "accounts:login": Row(default=OK),
    "accounts:logout": Row(method="post", default=REDIRECT),
    "accounts:profile": Row(anon=LOGIN, default=OK),
    "set_language": Row(method="post", data={"language": "en", "next": "/"}, default=REDIRECT),
    "network:libraries": Row(
        NETWORK, other={"network": "{other_network}"}, anon=LOGIN, reporter_a=(OK, NOT_FOUND),
        reporter_b=(OK, NOT_FOUND), methodologist=(OK, NOT_FOUND), viewer=(OK, NOT_FOUND),
        other_methodologist=(NOT_FOUND, OK),
    ),
    "network:library": Row(
        {**NETWORK, "code": "{library_a}"}, other={"code": "{library_b}"},
        anon=LOGIN, reporter_a=(OK, NOT_FOUND), reporter_b=(NOT_FOUND, OK), methodologist=OK, viewer=OK,
    ),
    # Report form. Writes: the library's reporter and the methodologist; viewers read only.
    "reporting:index": Row(
        NETWORK, other={"network": "{other_network}"}, anon=LOGIN, reporter_a=(OK, NOT_FOUND),
        reporter_b=(OK, NOT_FOUND), methodologist=(OK, NOT_FOUND), viewer=(OK, NOT_FOUND),
        other_methodologist=(NOT_FOUND, OK),
    ),
    # 2020: library A was in Strenči county then, so Valmiera county's methodologist may not start it.
    "reporting:start": Row({**NETWORK, "period": "{period_2020}", "unit": "{unit_a}"}, other={"unit": "{unit_b}"},
        method="post", **WRITE_A_THEN_FORM, part_methodologist_a=NOT_FOUND),
    "reporting:form": Row(REPORT_A, other=REPORT_B, **READ_A),
    "reporting:xlsx": Row(REPORT_A, other=REPORT_B, **READ_A),
    "reporting:save_field": Row({**REPORT_A, "code": "users"}, other=REPORT_B, method="post", **WRITE_A),
    "reporting:copy_stable": Row(REPORT_A, other=REPORT_B, method="post", **WRITE_A_THEN_FORM),
    "reporting:submit": Row(REPORT_A, other=REPORT_B, method="post", **WRITE_A_THEN_FORM),
    "reporting:confirm_submit": Row(REPORT_A, other=REPORT_B, **WRITE_A),
    "reporting:withdraw": Row(REPORT_A, other=REPORT_B, method="post", **WRITE_A_THEN_FORM),
    "reporting:print": Row(REPORT_A, other=REPORT_B, **READ_A),
    "reporting:save_narrative": Row({**REPORT_A, "code": "{narrative}"}, other=REPORT_B, method="post",
        **WRITE_A_THEN_FORM),
    "reporting:add_activity": Row(REPORT_A, other=REPORT_B, method="post", **WRITE_A),  # empty form: errors shown
    "reporting:compute_events": Row(REPORT_A, other=REPORT_B, method="post", **WRITE_A_THEN_FORM),
    "reporting:delete_activity": Row({**REPORT_A, "activity": "{activity_a}"}, other={**REPORT_B, "activity":
        "{activity_b}"}, method="post", **WRITE_A_THEN_FORM),
    "reporting:add_photo": Row(REPORT_A, other=REPORT_B, method="post", **WRITE_A_THEN_FORM),
    "reporting:delete_photo": Row({**REPORT_A, "photo": "{photo_a}"}, other={**REPORT_B, "photo": "{photo_b}"},
        method="post", **WRITE_A_THEN_FORM),
    "reporting:explain": Row(REPORT_A, other=REPORT_B, method="post", **WRITE_A_THEN_FORM),
    "reporting:upload": Row(NETWORK, method="post", anon=LOGIN, default=OK, other_methodologist=NOT_FOUND),
    # The whole region's workbook is the methodologist's (viewers read report by report).
    "reporting:region_xlsx": Row({**NETWORK, "year": "2021"}, other={"network": "{other_network}"}, anon=LOGIN,
        methodologist=(OK, NOT_FOUND)),
    # Review workflow: the methodologist reviews; the library and viewers read its feedback.
    "review:board": Row(NETWORK, other={"network": "{other_network}"}, anon=LOGIN, methodologist=(OK, NOT_FOUND),
        viewer=(OK, NOT_FOUND), other_methodologist=(NOT_FOUND, OK), **BOARD),
    "review:board_xlsx": Row(NETWORK, other={"network": "{other_network}"}, anon=LOGIN,
        methodologist=(OK, NOT_FOUND), viewer=(OK, NOT_FOUND), other_methodologist=(NOT_FOUND, OK), **BOARD),
    "review:approve_many": Row(NETWORK, other={"network": "{other_network}"}, method="post", anon=LOGIN,
        methodologist=(REDIRECT, NOT_FOUND), other_methodologist=(NOT_FOUND, REDIRECT),
        part_methodologist_a=(REDIRECT, NOT_FOUND), part_methodologist_b=(REDIRECT, NOT_FOUND)),
    "review:review": Row({**NETWORK, "report_id": "{report_a}"}, other={"report_id": "{report_b}"}, anon=LOGIN,
        methodologist=OK, part_methodologist_a=(OK, NOT_FOUND), part_methodologist_b=(NOT_FOUND, OK),
        part_viewer_a=NOT_FOUND),
    "review:comment": Row({**NETWORK, "report_id": "{report_a}"}, other={"report_id": "{report_b}"}, method="post",
        data={"text": "Lūdzu pārbaudiet.", "target": "users"}, **REVIEW_A),
    "review:return": Row({**NETWORK, "report_id": "{report_a}"}, other={"report_id": "{report_b}"}, method="post",
        **REVIEW_A),
    "review:approve": Row({**NETWORK, "report_id": "{report_a}"}, other={"report_id": "{report_b}"}, method="post",
        **REVIEW_A),
    "review:reopen": Row({**NETWORK, "report_id": "{report_a}"}, other={"report_id": "{report_b}"}, method="post",
        **REVIEW_A),
    # The national level: the whole network's methodologist only (a draft report: refused, back to
    # the review page); an area's methodologist has no national actions, not even on her own reports.
    "review:accept": Row({**NETWORK, "report_id": "{report_a}"}, other={"report_id": "{report_b}"}, method="post",
        **NATIONAL),
    "review:return_to_area": Row({**NETWORK, "report_id": "{report_a}"}, other={"report_id": "{report_b}"},
        method="post", data={"comment": "Lūdzu pārbaudiet."}, **NATIONAL),
    "review:accept_many": Row(NETWORK, other={"network": "{other_network}"}, method="post", anon=LOGIN,
        methodologist=(REDIRECT, NOT_FOUND), part_methodologist_a=NOT_FOUND, part_methodologist_b=NOT_FOUND),
    "review:feedback": Row({**NETWORK, "report_id": "{report_a}"}, other={"report_id": "{report_b}"}, **READ_A),
    "review:history": Row({**NETWORK, "report_id": "{report_a}"}, other={"report_id": "{report_b}"}, **READ_A),
    "review:value_history": Row({**NETWORK, "report_id": "{report_a}", "target": "users"},
        other={"report_id": "{report_b}"}, **READ_A),
    "review:people": Row(NETWORK, other={"network": "{other_network}"}, anon=LOGIN, methodologist=(OK, NOT_FOUND),
        other_methodologist=(NOT_FOUND, OK)),
    "review:invite": Row(NETWORK, other={"network": "{other_network}"}, method="post", anon=LOGIN,
        methodologist=(INVALID, NOT_FOUND), other_methodologist=(NOT_FOUND, INVALID)),
    "review:remove_role": Row({**NETWORK, "role_id": "{role}"}, other={"role_id": "{other_role}"}, method="post",
        anon=LOGIN, methodologist=(REDIRECT, NOT_FOUND)),
    "review:libraries": Row(NETWORK, other={"network": "{other_network}"}, anon=LOGIN,
        methodologist=(OK, NOT_FOUND), other_methodologist=(NOT_FOUND, OK)),
    "review:library": Row({**NETWORK, "code": "{library_a}"}, other={"code": "{library_b}"}, anon=LOGIN,
        methodologist=OK),
    "review:years": Row(NETWORK, other={"network": "{other_network}"}, anon=LOGIN, methodologist=(OK, NOT_FOUND),
        other_methodologist=(NOT_FOUND, OK)),
    "review:edit_year": Row({**NETWORK, "period_id": "{period_2021}"}, other={"period_id": "{other_period}"},
        anon=LOGIN, methodologist=(OK, NOT_FOUND)),
    # Figures: the network's members see its figures; a reporter only their own library's page.
    "stats:dashboard": Row(NETWORK, anon=LOGIN, default=OK, other_methodologist=NOT_FOUND),
    "stats:area": Row({**NETWORK, "code": "valka"}, anon=LOGIN, default=OK, other_methodologist=NOT_FOUND),
    "stats:library": Row({**NETWORK, "code": "{library_a}"}, other={"code": "{library_b}"}, anon=LOGIN,
        reporter_a=(OK, NOT_FOUND), reporter_b=(NOT_FOUND, OK), methodologist=OK, viewer=OK),
    "stats:export": Row({**NETWORK, "key": "performance", "fmt": "csv"}, anon=LOGIN, default=OK,
        other_methodologist=NOT_FOUND),
    # API tokens: the network's methodologist manages them; a part's methodologist her own (she cannot
    # revoke the network's); its other members get a 403.
    "stats:tokens": Row(NETWORK, other={"network": "{other_network}"}, anon=LOGIN, reporter_a=(FORBIDDEN, NOT_FOUND),
        reporter_b=(FORBIDDEN, NOT_FOUND), viewer=(FORBIDDEN, NOT_FOUND), methodologist=(OK, NOT_FOUND),
        other_methodologist=(NOT_FOUND, OK), part_methodologist_a=(OK, NOT_FOUND),
        part_methodologist_b=(OK, NOT_FOUND)),
    "stats:revoke_token": Row({**NETWORK, "token_id": "{api_token}"}, other={"token_id": "{other_api_token}"},
        method="post", anon=LOGIN, reporter_a=FORBIDDEN, reporter_b=FORBIDDEN, viewer=FORBIDDEN,
        methodologist=(REDIRECT, NOT_FOUND), part_methodologist_a=NOT_FOUND, part_methodologist_b=NOT_FOUND),
    # Explanations and imputation of missing values: the network's methodologist only; its other members get a 403.
    "stats:explanations": Row(NETWORK, other={"network": "{other_network}"}, anon=LOGIN,
        reporter_a=(FORBIDDEN, NOT_FOUND), reporter_b=(FORBIDDEN, NOT_FOUND), viewer=(FORBIDDEN, NOT_FOUND),
        methodologist=(OK, NOT_FOUND), other_methodologist=(NOT_FOUND, OK)),
    "stats:explanations_export": Row({**NETWORK, "fmt": "csv"}, other={"network": "{other_network}"}, anon=LOGIN,
        reporter_a=(FORBIDDEN, NOT_FOUND), reporter_b=(FORBIDDEN, NOT_FOUND), viewer=(FORBIDDEN, NOT_FOUND),
        methodologist=(OK, NOT_FOUND), other_methodologist=(NOT_FOUND, OK)),
    "stats:imputation": Row(NETWORK, other={"network": "{other_network}"}, anon=LOGIN,
        reporter_a=(FORBIDDEN, NOT_FOUND), reporter_b=(FORBIDDEN, NOT_FOUND), viewer=(FORBIDDEN, NOT_FOUND),
        methodologist=(OK, NOT_FOUND), other_methodologist=(NOT_FOUND, OK)),
    "stats:undo_imputation": Row({**NETWORK, "run_id": "{imputation_run}"}, other={"run_id": "{other_imputation_run}"},
        method="post", anon=LOGIN, reporter_a=FORBIDDEN, reporter_b=FORBIDDEN, viewer=FORBIDDEN,
        methodologist=(REDIRECT, NOT_FOUND)),
    "stats:publish_preliminary": Row({**NETWORK, "run_id": "{imputation_run}"},
        other={"run_id": "{other_imputation_run}"}, method="post", anon=LOGIN, reporter_a=FORBIDDEN,
        reporter_b=FORBIDDEN, viewer=FORBIDDEN, methodologist=(REDIRECT, NOT_FOUND)),
    # Public figures: approved reports only, for anyone.
    "public_stats:dashboard": Row(NETWORK, default=OK),
    "public_stats:area": Row({**NETWORK, "code": "valka"}, default=OK),
    "public_stats:library": Row({**NETWORK, "code": "{school}"}, default=OK),
    "public_stats:export": Row({**NETWORK, "key": "performance", "fmt": "csv"}, default=OK),
    "public_stats:datapackage": Row({**NETWORK, "year": "2021"}, default=OK),
    # The API: approved figures for anyone; a session gives no more (tokens do, tested in test_api).
    "api:root": Row(default=OK),
    "api:openapi": Row(default=OK),
    "api:networks": Row(default=OK),
    "api:units": Row(NETWORK, default=OK),
    "api:indicators": Row(NETWORK, default=OK),
    "api:values": Row(NETWORK, default=OK),
    "api:aggregates": Row(NETWORK, default=OK),
    # Seminar: the network's people read it; its methodologist changes it. The other
    # network's seminar is public: its agenda and calendar file are open to anyone.
    "seminar:list": Row(NETWORK, other={"network": "{other_network}"}, anon=LOGIN, reporter_a=(OK, NOT_FOUND),
        reporter_b=(OK, NOT_FOUND), methodologist=(OK, NOT_FOUND), viewer=(OK, NOT_FOUND),
        other_methodologist=(NOT_FOUND, OK)),
    "seminar:new": Row(NETWORK, other={"network": "{other_network}"}, anon=LOGIN, methodologist=(OK, NOT_FOUND),
        other_methodologist=(NOT_FOUND, OK)),
    **{
        f"seminar:{name}": Row({**NETWORK, "pk": "{seminar}"}, other={"network": "{other_network}",
            "pk": "{other_seminar}"}, anon=LOGIN, reporter_a=(OK, NOT_FOUND), reporter_b=(OK, NOT_FOUND),
            methodologist=(OK, NOT_FOUND), viewer=(OK, NOT_FOUND), other_methodologist=(NOT_FOUND, OK))
        for name in ("detail", "deck", "handout")
    },
    **{
        f"seminar:{name}": Row({**NETWORK, "pk": "{seminar}"}, other={"network": "{other_network}",
            "pk": "{other_seminar}"}, anon=(LOGIN, OK), reporter_a=OK, reporter_b=OK, methodologist=OK, viewer=OK,
            other_methodologist=(NOT_FOUND, OK))
        for name in ("agenda", "ics")
    },
    "seminar:edit": Row({**NETWORK, "pk": "{seminar}"}, other={"network": "{other_network}", "pk": "{other_seminar}"},
        anon=LOGIN, methodologist=(OK, NOT_FOUND), other_methodologist=(NOT_FOUND, OK)),
    # The agenda table: its network's methodologist only (the other network's sees theirs).
    "seminar:agenda_edit": Row({**NETWORK, "pk": "{seminar}"}, other={"network": "{other_network}",
        "pk": "{other_seminar}"}, anon=LOGIN, methodologist=(OK, NOT_FOUND), other_methodologist=(NOT_FOUND, OK)),
    **{
        f"seminar:{name}": Row({**NETWORK, "pk": "{seminar}", "item_id": "{item}", "guest_id": "{guest}"},
            other={"network": "{other_network}", "pk": "{other_seminar}", "item_id": "{other_item}",
            "guest_id": "{other_guest}"}, method="post", anon=LOGIN, methodologist=(REDIRECT, NOT_FOUND),
            other_methodologist=(NOT_FOUND, REDIRECT))
        for name in ("propose", "item_add", "item_move", "item_edit", "item_remove", "guest_add", "guest_remove",
                     "invite", "news")
    },
    # News: anyone reads published articles; the network's editors write and moderate.
    "news:list": Row(default=OK),
    "news:year": Row({"year": "{published_year}"}, default=OK),
    "news:tag": Row({"slug": "{tag}"}, default=OK),
    "news:rss": Row(default=OK),
    "news:atom": Row(default=OK),
    # A draft is seen only by its network's editors; a published article by anyone.
    "news:article": Row({"year": "{published_year}", "slug": "{draft_slug}"}, other={"slug": "{other_slug}"},
        default=(NOT_FOUND, OK), methodologist=OK),
    "news:desk": Row(anon=LOGIN, methodologist=OK, other_methodologist=OK),
    "news:moderation": Row(anon=LOGIN, methodologist=OK, other_methodologist=OK),
    "news:new": Row(NETWORK, other={"network": "{other_network}"}, anon=LOGIN, methodologist=(OK, NOT_FOUND),
        other_methodologist=(NOT_FOUND, OK)),
    "news:settings": Row(NETWORK, other={"network": "{other_network}"}, anon=LOGIN, methodologist=(OK, NOT_FOUND),
        other_methodologist=(NOT_FOUND, OK)),
    "news:edit": Row({"article_id": "{draft_article}"}, other={"article_id": "{other_article}"}, anon=LOGIN,
        methodologist=(OK, NOT_FOUND), other_methodologist=(NOT_FOUND, OK)),
    "news:image_add": Row({"article_id": "{draft_article}"}, other={"article_id": "{other_article}"}, method="post",
        anon=LOGIN, methodologist=(INVALID, NOT_FOUND), other_methodologist=(NOT_FOUND, INVALID)),
    "news:image_remove": Row({"image_id": "{image}"}, other={"image_id": "{other_image}"}, method="post",
        anon=LOGIN, methodologist=(REDIRECT, NOT_FOUND), other_methodologist=(NOT_FOUND, REDIRECT)),
    "news:moderate": Row({"comment_id": "{comment}"}, other={"comment_id": "{other_comment}"}, method="post",
        anon=LOGIN, methodologist=(REDIRECT, NOT_FOUND), other_methodologist=(NOT_FOUND, REDIRECT)),
    # Public stories: approved reports' success stories, for anyone (library A's report is a draft).
    "public:stories": Row(default=OK),
    "public:stories_year": Row({**NETWORK, "year": "2021"}, default=OK),
    "public:story": Row({**NETWORK, "year": "2021", "library": "{school}"}, other={"library": "{library_a}"},
        default=(OK, NOT_FOUND)),
    "public:robots": Row(default=OK),
    "public:sitemap": Row(default=OK),
    # Annual review: the methodologist edits, viewers read and download, reporters and the
    # public see the published review only (2020 is published, 2021 a draft).
    "yearbook:index": Row(NETWORK, anon=LOGIN, reporter_a=REDIRECT, reporter_b=REDIRECT, methodologist=OK,
        viewer=OK, part_methodologist_a=OK, part_methodologist_b=OK, part_viewer_a=OK),
    "yearbook:published": Row(NETWORK, default=OK),
    "yearbook:editor": Row({**NETWORK, "year": "2021"}, anon=LOGIN, methodologist=OK, viewer=OK),
    "yearbook:section": Row({**NETWORK, "year": "2021", "code": "general"}, anon=LOGIN, methodologist=OK, viewer=OK),
    "yearbook:history": Row({**NETWORK, "year": "2021"}, anon=LOGIN, methodologist=OK, viewer=OK),
    "yearbook:export": Row({**NETWORK, "year": "2021", "fmt": "docx"}, anon=LOGIN, methodologist=OK, viewer=OK),
    "yearbook:texts": Row({**NETWORK, "year": "2021"}, method="post", anon=LOGIN, methodologist=INVALID),
    "yearbook:status": Row({**NETWORK, "year": "2021"}, method="post", anon=LOGIN, methodologist=REDIRECT),
    "yearbook:export_job": Row({**NETWORK, "year": "2021"}, method="post", anon=LOGIN, methodologist=REDIRECT,
        viewer=REDIRECT),
    "seminar:pack_job": Row({**NETWORK, "pk": "{seminar}"}, other={"network": "{other_network}",
        "pk": "{other_seminar}"}, method="post", anon=LOGIN, reporter_a=(REDIRECT, NOT_FOUND),
        reporter_b=(REDIRECT, NOT_FOUND), methodologist=(REDIRECT, NOT_FOUND), viewer=(REDIRECT, NOT_FOUND),
        other_methodologist=(NOT_FOUND, REDIRECT)),
    "jobs:cancel": Row({**NETWORK, "job": "{job}"}, other={"network": "{other_network}", "job": "{other_job}"},
        method="post", anon=LOGIN, methodologist=(REDIRECT, NOT_FOUND), other_methodologist=(NOT_FOUND, REDIRECT)),
    "jobs:resume": Row({**NETWORK, "job": "{job}"}, other={"network": "{other_network}", "job": "{other_job}"},
        method="post", anon=LOGIN, methodologist=(REDIRECT, NOT_FOUND), other_methodologist=(NOT_FOUND, REDIRECT)),
    "yearbook:public": Row({**NETWORK, "year": "2020"}, other={"year": "2021"}, default=(OK, NOT_FOUND)),
    # A region's own review (issue 18): the region "region" of network "testa" (2021 a draft, 2020
    # published). The part personas hold roles over counties in it: they read its review like the
    # whole network's viewer, and none of them writes it (a county's methodologist is not the region's).
    "yearbook:region_editor": Row({**NETWORK, "region": "{region}", "year": "2021"}, anon=LOGIN, **REGION_READERS),
    "yearbook:region_section": Row({**NETWORK, "region": "{region}", "year": "2021", "code": "general"},
        anon=LOGIN, **REGION_READERS),
    "yearbook:region_history": Row({**NETWORK, "region": "{region}", "year": "2021"}, anon=LOGIN, **REGION_READERS),
    "yearbook:region_export": Row({**NETWORK, "region": "{region}", "year": "2021", "fmt": "docx"}, anon=LOGIN,
        **REGION_READERS),
    "yearbook:region_texts": Row({**NETWORK, "region": "{region}", "year": "2021"}, method="post", anon=LOGIN,
        methodologist=INVALID),
    "yearbook:region_status": Row({**NETWORK, "region": "{region}", "year": "2021"}, method="post", anon=LOGIN,
        methodologist=REDIRECT),
    "yearbook:region_export_job": Row({**NETWORK, "region": "{region}", "year": "2021"}, method="post",
        anon=LOGIN, methodologist=REDIRECT, viewer=REDIRECT, part_methodologist_a=REDIRECT,
        part_methodologist_b=REDIRECT, part_viewer_a=REDIRECT),
    "yearbook:region_public": Row({**NETWORK, "region": "{region}", "year": "2020"}, other={"year": "2021"},
        default=(OK, NOT_FOUND)),
    "yearbook:region_public_download": Row({**NETWORK, "region": "{region}", "year": "2020", "fmt": "docx"},
        other={"year": "2021"}, default=(OK, NOT_FOUND)),
    # A region's public news and feeds, for anyone; another network's region is a 404.
    "news:region": Row({**NETWORK, "code": "{region}"}, other={"network": "{other_network}"},
        default=(OK, NOT_FOUND)),
    "news:region_rss": Row({**NETWORK, "code": "{region}"}, other={"network": "{other_network}"},
        default=(OK, NOT_FOUND)),
    "news:region_atom": Row({**NETWORK, "code": "{region}"}, other={"network": "{other_network}"},
        default=(OK, NOT_FOUND)),
    "yearbook:public_download": Row({**NETWORK, "year": "2020", "fmt": "docx"}, other={"year": "2021"},
        default=(OK, NOT_FOUND)),
    # US PLS import belongs to the us-pls network only: nobody gets it under "testa".
    "pls:home": Row(NETWORK, anon=LOGIN),
    # Any configured survey's import: the network's methodologist, for the surveys of her network only
    # (tests/data/surveys/testa-survey.toml belongs to "testa"); readers and reporters are refused.
    "pls:surveys": Row(NETWORK, other={"network": "{other_network}"}, anon=LOGIN, **NOT_ADMIN,
        methodologist=(OK, NOT_FOUND), other_methodologist=(NOT_FOUND, OK)),
    "pls:survey": Row({**NETWORK, "code": "testa-survey"}, other={"network": "{other_network}"}, anon=LOGIN,
        **NOT_ADMIN, methodologist=(OK, NOT_FOUND)),
    "accounts:my_data": Row(anon=LOGIN, default=OK),
    "accounts:accept": Row({"token": "{invitation}"}, other={"token": "not-a-token"}, default=(OK, GONE)),
    # Password reset: open to anyone (a signed-in person may have forgotten too); a bad link is gone.
    "accounts:password_reset": Row(default=OK),
    "accounts:password_reset_sent": Row(default=OK),
    "accounts:password_reset_done": Row(default=OK),
    "accounts:password_reset_confirm": Row({"uidb64": "MQ", "token": "not-a-token"}, default=GONE),
    # Django's admin: only staff get in; everyone else is sent to the admin's own login page.
    "admin:*": Row(ADMIN_KWARGS, default="login", login_url="/admin/login/"),
    "admin:login": Row(default=OK),
    "admin:logout": Row(method="post", default=REDIRECT),
}  # fmt: skip


# Pages that read on GET and change something on POST: the POST side, which only writers may reach
# (an empty or invalid form is enough to show who gets past the access check).
ADMIN_POST = {"anon": LOGIN, "methodologist": (INVALID, NOT_FOUND), "other_methodologist": (NOT_FOUND, INVALID)}
# The seminar and news forms show their errors again with a 200.
ADMIN_FORM = {"anon": LOGIN, "methodologist": (OK, NOT_FOUND), "other_methodologist": (NOT_FOUND, OK)}
POSTS: dict[str, Row] = {
    "yearbook:index": Row(NETWORK, method="post", anon=LOGIN, reporter_a=REDIRECT, reporter_b=REDIRECT,
        methodologist=REDIRECT, part_methodologist_a=NOT_FOUND, part_methodologist_b=NOT_FOUND,
        part_viewer_a=NOT_FOUND),
    "yearbook:section": Row({**NETWORK, "year": "2021", "code": "general"}, method="post", anon=LOGIN,
        methodologist=INVALID),
    "yearbook:history": Row({**NETWORK, "year": "2021"}, method="post", anon=LOGIN, methodologist=REDIRECT),
    "seminar:new": Row(NETWORK, other={"network": "{other_network}"}, method="post", **ADMIN_FORM),
    "seminar:edit": Row({**NETWORK, "pk": "{seminar}"}, other={"network": "{other_network}", "pk": "{other_seminar}"},
        method="post", **ADMIN_FORM),
    # An empty post is a table with errors, shown again with a 400.
    "seminar:agenda_edit": Row({**NETWORK, "pk": "{seminar}"}, other={"network": "{other_network}",
        "pk": "{other_seminar}"}, method="post", **ADMIN_POST),
    "news:new": Row(NETWORK, other={"network": "{other_network}"}, method="post", **ADMIN_FORM),
    "news:edit": Row({"article_id": "{draft_article}"}, other={"article_id": "{other_article}"}, method="post",
        **ADMIN_FORM),
    "news:settings": Row(NETWORK, other={"network": "{other_network}"}, method="post", **ADMIN_POST),
    "review:libraries": Row(NETWORK, other={"network": "{other_network}"}, method="post", **ADMIN_POST),
    "review:library": Row({**NETWORK, "code": "{library_a}"}, other={"code": "{library_b}"}, method="post",
        anon=LOGIN, methodologist=INVALID),
    "review:years": Row(NETWORK, other={"network": "{other_network}"}, method="post", **ADMIN_POST),
    "review:edit_year": Row({**NETWORK, "period_id": "{period_2021}"}, other={"period_id": "{other_period}"},
        method="post", anon=LOGIN, methodologist=(INVALID, NOT_FOUND)),
    "pls:home": Row(NETWORK, method="post", anon=LOGIN),
    # An empty upload is the form again with its errors (400); a survey of another network is not found.
    "pls:survey": Row({**NETWORK, "code": "testa-survey"}, other={"network": "{other_network}"}, method="post",
        anon=LOGIN, **NOT_ADMIN, methodologist=(INVALID, NOT_FOUND)),
    "stats:tokens": Row(NETWORK, other={"network": "{other_network}"}, method="post", **ADMIN_POST,
        reporter_a=(FORBIDDEN, NOT_FOUND), reporter_b=(FORBIDDEN, NOT_FOUND), viewer=(FORBIDDEN, NOT_FOUND),
        part_methodologist_a=(INVALID, NOT_FOUND), part_methodologist_b=(INVALID, NOT_FOUND)),
    "stats:imputation": Row(NETWORK, other={"network": "{other_network}"}, method="post", **ADMIN_POST,
        reporter_a=(FORBIDDEN, NOT_FOUND), reporter_b=(FORBIDDEN, NOT_FOUND), viewer=(FORBIDDEN, NOT_FOUND)),
    "accounts:password_reset": Row(method="post", default=OK),  # no email given: the form again
}  # fmt: skip


@pytest.fixture(autouse=True)
def _test_surveys(settings):
    """The shipped survey configurations, as far as the matrix is concerned: one of network "testa"."""
    from pathlib import Path

    settings.PLS_SURVEYS_DIR = Path(__file__).parent / "data" / "surveys"


def objects(world: World) -> dict[str, str]:
    """What "{…}" placeholders in ACCESS stand for: objects of library A (own) and B (other)."""
    report_a = report_with(world.library_a, world.periods[2021], users=5)
    report_b = report_with(world.library_b, world.periods[2021], users=7)
    activity = {"date": dt.date(2021, 5, 4), "mode": "in_person", "title": "Dzejas diena"}
    photo = {"image": "photos/x.jpg", "thumbnail": "photos/x-t.jpg", "width": 1, "height": 1, "alt_text": "Lasītava"}
    ReportingPeriod.objects.filter(pk=world.periods[2020].pk).update(status=ReportingPeriod.Status.OPEN)
    # A methodologist over Valka county besides the personas: network "testa" reviews on two levels,
    # so its whole network's methodologist has the national actions to be refused or allowed.
    give_role(user("teritorija@example.org"), world.network, Role.Kind.ADMIN, world.valka)
    holder = user("token.holder@example.org")
    return imputation_runs({
        "period_2020": str(world.periods[2020].pk),
        "unit_a": str(world.library_a.pk),
        "unit_b": str(world.library_b.pk),
        "narrative": NarrativeSection.objects.filter(survey=world.survey).order_by("pk").first().code,  # type: ignore[union-attr]
        "activity_a": str(Activity.objects.create(report=report_a, **activity).pk),
        "activity_b": str(Activity.objects.create(report=report_b, **activity).pk),
        "photo_a": str(Photo.objects.create(report=report_a, **photo).pk),
        "photo_b": str(Photo.objects.create(report=report_b, **photo).pk),
        "photo_a_file": photo_file(report_a),
        "photo_b_file": photo_file(report_b),
        "network": world.network.slug,
        "other_network": world.other_network.slug,
        "library_a": world.library_a.code,
        "library_b": world.library_b.code,
        "report_a": str(report_a.pk),
        "report_b": str(report_b.pk),
        "year": "2021",
        "api_token": str(issue_token(holder, "matrix", world.network)[0].pk),
        "other_api_token": str(issue_token(holder, "matrix", world.other_network)[0].pk),
        **matrix_objects(world),
    }, world)  # fmt: skip


def finished_jobs(found: dict[str, str], world: World) -> dict[str, str]:
    """A finished seminar-pack job of each network, with its file on disk."""
    from parskats.jobs import files
    from parskats.jobs.models import Job

    made = {}
    for key, network, seminar in (
        ("job", world.network, "seminar"),
        ("other_job", world.other_network, "other_seminar"),
    ):
        job = Job.objects.create(kind="seminar.pack", network=network, subject=found[seminar], title="Pakete",
                                 status=Job.Status.DONE, result={"files": ["deck.pptx"]})  # fmt: skip
        files.folder(job).mkdir(parents=True, exist_ok=True)
        (files.folder(job) / "deck.pptx").write_bytes(b"PK not really a deck")
        made[key] = str(job.pk)
    return {**found, **made}


def imputation_runs(found: dict[str, str], world: World) -> dict[str, str]:
    """A run of each network, with no values (the matrix checks who may undo it, not what it undoes)."""
    other = ReportingPeriod.objects.get(pk=found["other_period"])
    found = finished_jobs(found, world)
    return {
        **found,
        "imputation_run": str(ImputationRun.objects.create(period=world.periods[2021]).pk),
        "other_imputation_run": str(ImputationRun.objects.create(period=other).pk),
    }


def photo_file(report) -> str:
    """A photo of the report with its file on disk (MEDIA_ROOT is the test's own folder)."""
    from django.conf import settings

    name = f"reports/{report.pk}/matrix.jpg"
    path = settings.MEDIA_ROOT / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xd8\xff\xe0 not really a photo")
    Photo.objects.create(report=report, image=name, thumbnail=name, width=1, height=1, alt_text="Fails")
    return name


def named_urls(resolver: URLResolver | None = None, namespace: str = "") -> Iterator[str]:
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from named_urls(pattern, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def row_for(name: str) -> Row | None:
    if name in ACCESS:
        return ACCESS[name]
    namespace = name.split(":", 1)[0]
    return ACCESS.get(f"{namespace}:*") if ":" in name else None


URL_NAMES = sorted(set(named_urls()))


def test_every_url_has_a_row():
    missing = [name for name in URL_NAMES if row_for(name) is None]
    assert not missing, (
        "These URL names have no row in the permission matrix (tests/test_permission_matrix.py, ACCESS).\n"
        "Add one line per name saying what each persona gets, e.g.\n"
        '    "app:name": Row({"network": "{network}"}, anon=LOGIN, reporter_a=OK, reporter_b=OK, '
        "methodologist=OK, viewer=OK),\n"
        "Missing: " + ", ".join(missing)
    )


def test_no_row_for_a_url_that_is_gone():
    stale = [name for name in ACCESS if not name.endswith(":*") and name not in URL_NAMES]
    assert not stale, f"Rows for URL names that no longer exist: {stale}"


def check(client: Client, name: str, row: Row, kwargs: dict[str, str], expected: str) -> str | None:
    url = reverse(name, kwargs=kwargs or None)
    response = getattr(client, row.method)(url, row.data or {})
    got = str(response.status_code)
    if response.status_code == 302 and response["Location"].startswith(row.login_url):
        got = LOGIN
    if got != expected:
        return f"{row.method.upper()} {url}: expected {expected}, got {got} ({response.get('Location', '')})"
    return None


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", URL_NAMES)
def test_access(name, persona, request, world):
    row = row_for(name)
    if row is None:
        pytest.fail(f"{name} has no row in ACCESS (see test_every_url_has_a_row)")
    values = objects(world)
    user: User | None = None if persona == "anon" else request.getfixturevalue(persona)
    client = Client()
    if user is not None:
        client.force_login(user)
    own_expected, other_expected = row.expected(persona)
    own = {key: value.format(**values) for key, value in row.kwargs.items() if f"<{key}>" in pattern_of(name)}
    problems = [check(client, name, row, own, own_expected)]
    if row.other is not None and other_expected is not None:
        other = {
            **own,
            **{key: value.format(**values) for key, value in row.other.items() if f"<{key}>" in pattern_of(name)},
        }
        problems.append(check(client, name, row, other, other_expected))
    problems = [p for p in problems if p]
    assert not problems, f"{persona} on {name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(POSTS))
def test_post_access(name, persona, request, world):
    """The write side of pages that also read: a viewer or a stranger never gets past the check."""
    row = POSTS[name]
    values = objects(world)
    client = Client()
    if persona != "anon":
        client.force_login(request.getfixturevalue(persona))
    own_expected, other_expected = row.expected(persona)
    own = {key: value.format(**values) for key, value in row.kwargs.items() if f"<{key}>" in pattern_of(name)}
    problems = [check(client, name, row, own, own_expected)]
    if row.other is not None and other_expected is not None:
        other = {
            **own,
            **{key: value.format(**values) for key, value in row.other.items() if f"<{key}>" in pattern_of(name)},
        }
        problems.append(check(client, name, row, other, other_expected))
    problems = [p for p in problems if p]
    assert not problems, f"{persona} on {name}:\n" + "\n".join(problems)


def pattern_of(name: str) -> str:
    """The route of a URL name with converters, for picking the kwargs it takes (admin rows share kwargs)."""
    resolver = get_resolver()
    *namespaces, view = name.split(":")
    prefix = ""
    for namespace in namespaces:
        pattern_prefix, resolver = resolver.namespace_dict[namespace]
        prefix += pattern_prefix
    return prefix + " ".join(
        f"<{param}>" for possibility in resolver.reverse_dict.getlist(view) for param in possibility[0][0][1]
    )


# Placeholders the probe below tries for a URL kwarg of that name; anything else needs a new object.
GUESSES = {"network": "{network}", "code": "{library_a}", "report": "{report_a}", "year": "{year}", "unit": "{unit_a}"}


def test_probe_rows_for_missing_urls(request, world):
    """PARSKATS_MATRIX_PROBE=1 pytest tests/test_permission_matrix.py -k probe -s prints, for every URL
    without a row, what each persona gets today (GET) as a row to paste — to be read and judged, not
    pasted blindly: the row states what SHOULD happen."""
    import os

    if not os.environ.get("PARSKATS_MATRIX_PROBE"):
        pytest.skip("set PARSKATS_MATRIX_PROBE=1 to print suggested rows")
    values = objects(world)
    for name in (n for n in URL_NAMES if row_for(n) is None):
        params = list(dict.fromkeys(re.findall(r"<(\w+)>", pattern_of(name))))
        unknown = [p for p in params if p not in GUESSES]
        if unknown:
            print(f'    # "{name}": needs objects for {unknown} in objects()')
            continue
        kwargs = {p: GUESSES[p] for p in params}
        seen = {}
        for persona in PERSONAS:
            client = Client()
            if persona != "anon":
                client.force_login(request.getfixturevalue(persona))
            response = client.get(reverse(name, kwargs={k: v.format(**values) for k, v in kwargs.items()} or None))
            got = str(response.status_code)
            if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
                got = "login"
            names = {"200": "OK", "login": "LOGIN", "302": "REDIRECT", "403": "FORBIDDEN", "404": "NOT_FOUND"}
            seen[persona] = names.get(got, got)
        outcomes = ", ".join(f"{p}={o if o.isupper() else repr(o)}" for p, o in seen.items())
        print(f'    "{name}": Row({kwargs or ""}{", " if kwargs else ""}{outcomes}),')
