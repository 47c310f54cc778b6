"""Dashboard panels contributed by the apps, so the dashboards grow without one file that
every app edits. Each entry is `module.function(request, role) -> str` (rendered HTML, or "")."""

from importlib import import_module

from django.utils.safestring import mark_safe

# Order is the order on the page. A module that does not exist yet is skipped.
PANELS = [
    "accounts.dashboard.panel",
    "matching.dashboard.panel",
    "checkins.dashboard.panel",
    "goals.dashboard.panel",
    "outcomes.dashboard.panel",
]


def _load(path: str):
    module, name = path.rsplit(".", 1)
    try:
        return getattr(import_module(module), name)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return None


def render_panels(request, role: str) -> str:
    parts = []
    for path in PANELS:
        panel = _load(path)
        if panel is not None:
            parts.append(panel(request, role) or "")
    return mark_safe("\n".join(parts))  # noqa: S308 — each panel renders through a template
