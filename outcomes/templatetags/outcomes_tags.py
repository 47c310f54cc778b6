from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    """Dictionary lookup by a variable key (the arms of a study)."""
    return mapping.get(key) if mapping else None


@register.filter
def num(value):
    """One decimal, or a dash for a figure that does not exist (never a misleading 0)."""
    return "—" if value is None else f"{value:.1f}"
