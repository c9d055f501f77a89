"""The main menu, one per role, on every page (a context processor: pages that know no network,
such as the profile or the newsroom, still get the menu of the person's network)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from parskats.accounts.access import AnyUser, networks_for_user
from parskats.accounts.models import Role
from parskats.network.models import Network
from parskats.news.access import edited_regions
from parskats.pls import surveys
from parskats.pls.importer import NETWORK_SLUG as US_SURVEY_NETWORK

# Label and URL name of each entry; the URL takes the network's slug unless it is in NO_NETWORK.
HOME = (_("Home"), "site:home")
MY_REPORTS = (_("My reports"), "reporting:index")
BOARD = (_("Submission progress"), "review:board")
LIBRARIES = (_("Libraries"), "network:libraries")
FIGURES = (_("Figures"), "stats:dashboard")
SEMINARS = (_("Seminars"), "seminar:list")
REVIEW_DOCUMENT = (_("Region's annual review"), "yearbook:index")
NEWS = (_("News"), "news:list")
NEWSROOM = (_("Newsroom"), "news:desk")
US_IMPORT = (_("Data import"), "pls:home")
SURVEY_IMPORT = (_("Data import"), "pls:surveys")
PUBLIC_FIGURES = (_("Figures"), "public_stats:dashboard")
PUBLISHED_REVIEW = (_("Region's annual review"), "yearbook:published")
NO_NETWORK = {"site:home", "news:list", "news:desk"}

# A methodologist or viewer over a part of the map (a region, a county) rather than the whole network.
PART_ADMIN, PART_VIEWER = "part_admin", "part_viewer"
MENUS: dict[str, tuple[tuple[Promise, str], ...]] = {
    Role.Kind.ADMIN: (HOME, BOARD, LIBRARIES, FIGURES, SEMINARS, REVIEW_DOCUMENT, NEWSROOM),
    PART_ADMIN: (HOME, BOARD, LIBRARIES, FIGURES, SEMINARS, NEWS),
    PART_VIEWER: (HOME, BOARD, LIBRARIES, FIGURES, NEWS),
    Role.Kind.REPORTER: (HOME, MY_REPORTS, FIGURES, SEMINARS, NEWS),
    Role.Kind.VIEWER: (FIGURES, BOARD, LIBRARIES, REVIEW_DOCUMENT, NEWS),
    "public": (NEWS, PUBLIC_FIGURES, PUBLISHED_REVIEW),
}
# A person with several roles in one network gets the menu of the widest.
RANK: dict[str, int] = {Role.Kind.ADMIN: 0, PART_ADMIN: 1, Role.Kind.REPORTER: 2, PART_VIEWER: 3, Role.Kind.VIEWER: 4}


@dataclass
class MenuItem:
    label: str
    url: str
    current: bool = False


def role_in(user: AnyUser, network: Network) -> str:
    """The role whose menu and home page this person gets in the network."""
    if not user.is_authenticated:
        return "public"
    if user.is_superuser:
        return Role.Kind.ADMIN
    kinds = {
        _menu_kind(kind, unit)
        for kind, unit in Role.objects.filter(user=user, network=network).values_list("kind", "unit_id")
    }
    return min(kinds, key=lambda k: RANK.get(k, 9)) if kinds else Role.Kind.VIEWER


def _menu_kind(kind: str, unit_id: int | None) -> str:
    """A methodologist's or viewer's role over a part of the map has a menu of its own."""
    if unit_id is None or kind == Role.Kind.REPORTER:
        return kind
    return PART_ADMIN if kind == Role.Kind.ADMIN else PART_VIEWER


def _network(request: HttpRequest) -> Network | None:
    """The network of the URL when the person may see it, else the first of their networks."""
    match = request.resolver_match
    slug = match.kwargs.get("network") if match else None
    if not request.user.is_authenticated:
        return Network.objects.filter(slug=slug).first() if isinstance(slug, str) else None
    mine = networks_for_user(request.user).order_by("name")
    return (mine.filter(slug=slug).first() if isinstance(slug, str) else None) or mine.first()


def _imports(network: Network) -> tuple[tuple[Promise, str], ...]:
    """A network whose data comes from a national survey's files: its methodologist's way to import them."""
    if network.slug == US_SURVEY_NETWORK:
        return (US_IMPORT,)
    return (SURVEY_IMPORT,) if surveys.for_network(network.slug) else ()


def build_menu(request: HttpRequest) -> list[MenuItem]:
    network = _network(request)
    if request.user.is_authenticated and network is not None:
        kind = role_in(request.user, network)
        entries = MENUS[kind]
        if kind == PART_ADMIN and edited_regions(request.user).filter(network=network).exists():
            # A region's methodologist writes her region's news: the newsroom instead of the reading list.
            entries = tuple(NEWSROOM if entry == NEWS else entry for entry in entries)
        if kind == Role.Kind.ADMIN:
            entries = (*entries, *_imports(network))
    elif not request.user.is_authenticated:
        entries = MENUS["public"] if network is not None else MENUS["public"][:1]
    else:
        entries = (HOME, NEWS)
    items = []
    for label, name in entries:
        try:
            url = reverse(name) if name in NO_NETWORK else reverse(name, args=[network.slug if network else ""])
        except NoReverseMatch:
            continue
        items.append(MenuItem(str(label), url))
    # The entry whose address is the longest start of this page's address is where the reader is;
    # the home and the network's own address (the libraries) start every address, so they match whole.
    path = request.path
    roots = {"/"} | ({reverse(LIBRARIES[1], args=[network.slug])} if network is not None else set())
    matching = [i for i in items if path == i.url or (i.url not in roots and path.startswith(i.url))]
    if matching:
        max(matching, key=lambda i: len(i.url)).current = True
    return items


def menu(request: HttpRequest) -> dict[str, Any]:
    """Built only when a template shows it: fragments and downloads do not pay its queries."""
    return {"menu": SimpleLazyObject(lambda: build_menu(request))}
