"""What the apps contribute to the site shell's pages: dashboard panels, participant-page
panels and navigation items.

The shell (`portal`) sits above every app and the apps may not import it, so the registries live
here, in the kernel; each app fills them in its `AppConfig.ready()` and the shell (or the
participant page in `accounts`) renders what is registered. Entries show in registration order,
which is the order of INSTALLED_APPS, unless they carry an explicit `order`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from mentorship.registry import Registry

#: `panel(request, role) -> str`: rendered HTML for the dashboard of `role`, or "".
DashboardPanel = Callable[[Any, str], str]
#: `panel(request, person, *, can_change) -> str`: rendered HTML for the participant page of
#: `person` (a mentee or mentor profile; a panel returns "" for people it has nothing about).
#: `can_change` is the access policy's answer for the person, so a panel shows its buttons only
#: to whom may use them.
ParticipantPanel = Callable[..., str]

dashboard_panels: Registry[DashboardPanel] = Registry("dashboard panels")
participant_panels: Registry[ParticipantPanel] = Registry("participant page panels")


@dataclass(frozen=True)
class NavItem:
    label: str  # translatable: pass gettext_lazy(...)
    url_name: str
    # Roles that see the item; None: everyone signed in.
    roles: tuple[str, ...] | None = None
    # Position in the bar (lowest first); the bar mixes apps, so registration order is not enough.
    order: int = 100
    # A key of NAV_GROUPS: the item shows in that dropdown instead of on the bar itself, so the
    # bar keeps to one line at 1280 px however many apps add items. None: on the bar.
    group: str | None = None


#: The navigation's dropdown menus, by key: their labels (a menu sits where its first item would).
NAV_GROUPS: dict[str, Any] = {
    "people": _("People"),
    "program": _("Program"),
    "reports": _("Reports"),
}


nav_items: Registry[NavItem] = Registry("navigation")


@dataclass(frozen=True)
class TimelineEntry:
    """One dated thing that happened to a participant (enrolled, matched, a check-in, ...)."""

    when: dt.datetime | dt.date
    label: str  # translated, in the field's words
    url: str = ""  # where the viewer may open it; "" if they may not
    kind: str = ""  # the app's word for the entry (a CSS hook and a test handle)

    def sort_key(self) -> dt.datetime:
        # A day-only entry (enrolled on, assessment completed on) sorts at the start of that day.
        if isinstance(self.when, dt.datetime):
            return self.when
        return dt.datetime.combine(self.when, dt.time.min, tzinfo=dt.UTC)


#: `source(request, person) -> entries`: what an app knows happened to `person`, already
#: filtered by the access policy for `request.user`. A source runs a fixed number of queries
#: (not one per entry) so the participant page costs the same for 3 check-ins or 300.
TimelineSource = Callable[[Any, Any], Iterable[TimelineEntry]]

participant_timeline: Registry[TimelineSource] = Registry("participant timeline")


def timeline(request, person, *, limit: int | None = None) -> list[TimelineEntry]:
    """Every registered source's entries for `person`, newest first."""
    entries = [entry for source in participant_timeline for entry in source(request, person)]
    entries.sort(key=TimelineEntry.sort_key, reverse=True)
    return entries[:limit] if limit else entries


def render_panels(registry: Registry, request, *args, **kwargs) -> SafeString:
    """Every registered panel, in order, joined. Each renders through a template, so its HTML is
    already escaped."""
    html = (panel(request, *args, **kwargs) or "" for panel in registry)
    return mark_safe("\n".join(part for part in html if part))  # noqa: S308
