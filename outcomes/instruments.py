"""Assessment instruments as data: items, answer scales, scores and the schedule rule.

Adding an instrument means adding an `Instrument` to INSTRUMENTS; forms, scoring, due dates,
reminders, report rows and export columns read from here. Programs choose theirs in their
outcome settings (`OutcomeSettings.instruments`).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

Scale = tuple[tuple[int, str], ...]  # (score, label), lowest first


@dataclass(frozen=True)
class Item:
    key: str  # as numbered on the published form: "1", "7a"
    text: str
    scale: Scale | None = None  # None: the instrument's scale


@dataclass(frozen=True)
class Score:
    """A sum of items: an instrument's total or one of its subscales."""

    code: str  # the key in Assessment.scores
    label: str  # how report rows name it
    column: str  # how export columns start
    items: tuple[str, ...] | None = None  # item keys; None: every item
    threshold: int | None = None  # a score at or above which the result is marked
    threshold_label: str = ""


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    items: tuple[Item, ...]
    scale: Scale
    scores: tuple[Score, ...]
    citation: str = ""
    instructions: str = ""  # above the form
    # Languages whose wording was validated (a published translation). In any other the
    # items are our own translation, and the form says the instrument is not validated in it.
    validated_languages: tuple[str, ...] = ("en",)

    def __post_init__(self):
        keys = [item.key for item in self.items]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{self.code}: item keys repeat.")
        for score in self.scores:
            if score.items and not set(score.items) <= set(keys):
                raise ValueError(f"{self.code}: score {score.code} names an unknown item.")

    def scale_of(self, item: Item) -> Scale:
        return item.scale or self.scale

    def _items_of(self, score: Score) -> list[int]:
        if score.items is None:
            return list(range(len(self.items)))
        return [i for i, item in enumerate(self.items) if item.key in score.items]

    def score_range(self, score: Score) -> tuple[int, int]:
        scales = [self.scale_of(self.items[i]) for i in self._items_of(score)]
        return sum(s[0][0] for s in scales), sum(s[-1][0] for s in scales)

    def score(self, answers: list[int]) -> dict[str, int]:
        """Every score of the answers (one per item, in order); raises ValueError on a wrong
        count or an answer outside its item's scale."""
        if len(answers) != len(self.items):
            raise ValueError(f"{self.name} has {len(self.items)} items, got {len(answers)}.")
        bad = [
            item.key
            for item, answer in zip(self.items, answers, strict=True)
            if answer not in {value for value, _ in self.scale_of(item)}
        ]
        if bad:
            raise ValueError(f"Item(s) {', '.join(bad)}: the answer is not on the item's scale.")
        return {s.code: sum(answers[i] for i in self._items_of(s)) for s in self.scores}

    def validated_in(self, language: str) -> bool:
        return language.split("-")[0] in self.validated_languages

    @property
    def total_score(self) -> Score | None:
        return next((s for s in self.scores if s.code == "total"), None)


def _numbered(*texts: str) -> tuple[Item, ...]:
    return tuple(Item(str(n), text) for n, text in enumerate(texts, start=1))


BARC10 = Instrument(
    code="barc10",
    name="BARC-10 (Brief Assessment of Recovery Capital)",
    # No published Spanish wording we could confirm: the Spanish items are our translation
    # (validated_languages stays English only).
    items=_numbered(
        _("There are more important things to me in life than using substances."),
        _("In general I am happy with my life."),
        _("I have enough energy to complete the tasks I set myself."),
        _("I am proud of the community I live in and feel part of it."),
        _("I get lots of support from friends."),
        _(
            "I regard my life as challenging and fulfilling without the need for using drugs "
            "or alcohol."
        ),
        _("My living space has helped to drive my recovery journey."),
        _("I take full responsibility for my actions."),
        _("I am happy dealing with a range of professional people."),
        _("I am making good progress on my recovery journey."),
    ),
    scale=(
        (1, _("Strongly disagree")),
        (2, _("Disagree")),
        (3, _("Somewhat disagree")),
        (4, _("Somewhat agree")),
        (5, _("Agree")),
        (6, _("Strongly agree")),
    ),
    scores=(
        Score(
            "total",
            "BARC-10",
            "barc10",
            threshold=47,
            threshold_label="strong recovery capital",
        ),
    ),
    citation="Vilsaint et al., Drug Alcohol Depend 2017;177:71-76",
    instructions=_("How much do you agree with each statement today? There are no right answers."),
)

# The Brief Addiction Monitor's answer scales (0-4 on every item).
DAYS: Scale = (
    (0, _("0 days")),
    (1, _("1-3 days")),
    (2, _("4-8 days")),
    (3, _("9-15 days")),
    (4, _("16-30 days")),
)
HOW_MUCH: Scale = (
    (0, _("Not at all")),
    (1, _("Slightly")),
    (2, _("Moderately")),
    (3, _("Considerably")),
    (4, _("Extremely")),
)
HEALTH: Scale = (
    (0, _("Excellent")),
    (1, _("Very good")),
    (2, _("Good")),
    (3, _("Fair")),
    (4, _("Poor")),
)
NO_YES: Scale = ((0, _("No")), (4, _("Yes")))

# Item wording paraphrased from the published form; every item is about the past 30 days.
# Spanish: our translation of the paraphrase, not a validated version.
BAM = Instrument(
    code="bam",
    name="BAM (Brief Addiction Monitor)",
    items=(
        Item("1", _("Your physical health"), HEALTH),
        Item("2", _("Nights with trouble falling or staying asleep")),
        Item("3", _("Days feeling depressed, anxious, angry or very upset most of the day")),
        Item("4", _("Days you drank any alcohol")),
        Item("5", _("Days you had 5 or more drinks (men) or 4 or more (women)")),
        Item("6", _("Days you used illegal or street drugs, or misused prescription medicines")),
        Item("7a", _("Days you used marijuana (cannabis)")),
        Item("7b", _("Days you used sedatives or tranquilizers")),
        Item("7c", _("Days you used cocaine or crack")),
        Item("7d", _("Days you used other stimulants (such as amphetamine)")),
        Item("7e", _("Days you used opioids (such as heroin or pain pills)")),
        Item("7f", _("Days you used inhalants")),
        Item("7g", _("Days you used other drugs")),
        Item("8", _("How much cravings or urges to drink or use drugs bothered you"), HOW_MUCH),
        Item("9", _("How confident you are of staying abstinent for the next 30 days"), HOW_MUCH),
        Item("10", _("Days you went to self-help meetings (such as AA or NA)")),
        Item("11", _("Days in situations or with people that put you at risk of using")),
        Item("12", _("How much religion or spirituality supports your recovery"), HOW_MUCH),
        Item("13", _("Days spent mostly at work, school or volunteering")),
        Item("14", _("Enough legal income for housing, transport, food and clothing"), NO_YES),
        Item(
            "15", _("How much arguments or problems with family or friends bothered you"), HOW_MUCH
        ),
        Item("16", _("Days in contact with family or friends who support your recovery")),
        Item("17", _("How satisfied you are with your progress towards your goals"), HOW_MUCH),
    ),
    scale=DAYS,
    # The BAM manual's scoring (VA Philadelphia CESATE; Cacciola et al. 2013): items 7a-7g
    # detail item 6 and item 17 stands alone; neither is in a subscale.
    scores=(
        Score("use", "BAM use", "bam_use", items=("4", "5", "6")),
        Score("risk", "BAM risk factors", "bam_risk", items=("1", "2", "3", "8", "11", "15")),
        Score(
            "protective",
            "BAM protective factors",
            "bam_protective",
            items=("9", "10", "12", "13", "14", "16"),
        ),
    ),
    citation="Cacciola et al., J Subst Abuse Treat 2013;44:256-263",
    instructions=_("In the past 30 days:"),
)

INSTRUMENTS = {i.code: i for i in (BARC10, BAM)}
# Every score of every instrument, in a fixed order: the report's rows, the export's columns.
SCORES = [(instrument, score) for instrument in INSTRUMENTS.values() for score in instrument.scores]


def timepoint_label(week: int) -> str:
    return "Intake" if week == 0 else f"Week {week}"


def due_date(enrolled_on: date, week: int) -> date:
    """Intake is due on day 1; week k's assessment on the last day of week k (day 7k)."""
    return enrolled_on if week == 0 else enrolled_on + timedelta(days=7 * week - 1)


def enrolled_by(today: date, week: int) -> date:
    """`due_date` read backwards: week's assessment is due by `today` for whoever enrolled on
    or before this day, so a query can ask "who is due" without a row per time point."""
    return today if week == 0 else today - timedelta(days=7 * week - 1)
