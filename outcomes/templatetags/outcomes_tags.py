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


@register.filter
def percent(value):
    """A proportion (0-1) as a percentage with one decimal, or a dash when it does not exist."""
    return "—" if value is None else f"{value * 100:.1f}"


@register.filter
def score_range(instrument, score):
    """The lowest and highest value a score of the instrument can take."""
    return instrument.score_range(score)
