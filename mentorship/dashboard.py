"""Dashboard panels contributed by the apps, so the dashboards grow without one file that
every app edits. Each panel is `panel(request, role) -> str` (rendered HTML, or "")."""

from django.utils.safestring import mark_safe

from accounts import dashboard as accounts_panel
from checkins import dashboard as checkins_panel
from goals import dashboard as goals_panel
from matching import dashboard as matching_panel
from outcomes import dashboard as outcomes_panel

# Order is the order on the page.
PANELS = [accounts_panel, matching_panel, checkins_panel, goals_panel, outcomes_panel]


def render_panels(request, role: str) -> str:
    # Each panel renders through a template, so its HTML is already escaped.
    return mark_safe("\n".join(module.panel(request, role) or "" for module in PANELS))  # noqa: S308
