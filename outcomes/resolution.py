"""Which report counts for a day when several disagree. Pure: the program setting decides."""

from collections.abc import Sequence
from typing import Protocol

from outcomes.models import OutcomeSettings, Source

Rule = OutcomeSettings.ConflictRule


class ReportLike(Protocol):
    used: bool
    source: str
    recorded_at: object
    id: int | None


def _latest(reports: Sequence[ReportLike]) -> ReportLike:
    # Ties on the timestamp (an import writes many at once) fall back to insertion order.
    return max(reports, key=lambda r: (r.recorded_at, r.id or 0))


def counting_report(reports: Sequence[ReportLike], rule: str) -> ReportLike:
    if not reports:
        raise ValueError("A day needs at least one report.")
    if rule == Rule.LATEST:
        return _latest(reports)
    if rule == Rule.ANY_USE:
        used = [r for r in reports if r.used]
        return _latest(used or reports)
    # Default: a positive lab test wins, then the latest self-report, then the latest report.
    positive_lab = [r for r in reports if r.source == Source.LAB and r.used]
    if positive_lab:
        return _latest(positive_lab)
    self_reports = [r for r in reports if r.source == Source.SELF]
    return _latest(self_reports or reports)
