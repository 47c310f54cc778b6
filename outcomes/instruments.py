"""Assessment instruments as data: items, scale, scoring and the schedule rule.

Adding an instrument means adding an `Instrument` to INSTRUMENTS; forms, scoring, due dates
and reports read from here.
"""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    items: tuple[str, ...]
    scale: tuple[tuple[int, str], ...]  # (score, label), lowest first
    threshold: int | None = None  # total at or above which the result is marked
    threshold_label: str = ""
    citation: str = ""

    @property
    def min_total(self) -> int:
        return self.scale[0][0] * len(self.items)

    @property
    def max_total(self) -> int:
        return self.scale[-1][0] * len(self.items)

    def score(self, answers: list[int]) -> int:
        """Total of the item scores; raises ValueError on a wrong count or out-of-scale answer."""
        allowed = {value for value, _ in self.scale}
        if len(answers) != len(self.items):
            raise ValueError(f"{self.name} has {len(self.items)} items, got {len(answers)}.")
        bad = [i + 1 for i, a in enumerate(answers) if a not in allowed]
        if bad:
            raise ValueError(f"Item(s) {', '.join(map(str, bad))} must be scored 1-6.")
        return sum(answers)

    def meets_threshold(self, total: int | None) -> bool:
        return total is not None and self.threshold is not None and total >= self.threshold


BARC10 = Instrument(
    code="barc10",
    name="BARC-10 (Brief Assessment of Recovery Capital)",
    items=(
        "There are more important things to me in life than using substances.",
        "In general I am happy with my life.",
        "I have enough energy to complete the tasks I set myself.",
        "I am proud of the community I live in and feel part of it.",
        "I get lots of support from friends.",
        "I regard my life as challenging and fulfilling without the need for using drugs "
        "or alcohol.",
        "My living space has helped to drive my recovery journey.",
        "I take full responsibility for my actions.",
        "I am happy dealing with a range of professional people.",
        "I am making good progress on my recovery journey.",
    ),
    scale=(
        (1, "Strongly disagree"),
        (2, "Disagree"),
        (3, "Somewhat disagree"),
        (4, "Somewhat agree"),
        (5, "Agree"),
        (6, "Strongly agree"),
    ),
    threshold=47,
    threshold_label="strong recovery capital",
    citation="Vilsaint et al., Drug Alcohol Depend 2017;177:71-76",
)

INSTRUMENTS = {BARC10.code: BARC10}


def timepoint_label(week: int) -> str:
    return "Intake" if week == 0 else f"Week {week}"


def due_date(enrolled_on: date, week: int) -> date:
    """Intake is due on day 1; week k's assessment on the last day of week k (day 7k)."""
    return enrolled_on if week == 0 else enrolled_on + timedelta(days=7 * week - 1)
