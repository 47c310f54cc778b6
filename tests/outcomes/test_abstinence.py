"""Abstinence outcomes (DESIGN.md; Hughes et al. 2003): the product's vectorised
`outcomes.metrics.abstinence_outcomes` against the day-by-day reference in
tests/outcomes/oracle.py on generated logs, hand-worked relapse cases, the intervals against
published values, and the report page, export and settings."""

import csv
import io
from datetime import date, timedelta

import numpy as np
import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import MenteeProfile
from outcomes import exports, metrics
from outcomes.metrics import AbstinenceRules, Window
from outcomes.models import OutcomeSettings, UseSummary
from tests import factories
from tests.outcomes.oracle import abstinence as reference
from tests.outcomes.test_report_and_exports import log_days

MONDAY = date(2026, 1, 5)


def _grid(days: dict[date, bool], enrolled_on: date, today: date, last_day: int) -> np.ndarray:
    """One participant's row of the grid, as the report's query fills it: recorded days
    numbered 1..last_day that have happened."""
    row = np.zeros(last_day, dtype=np.int8)
    for day, used in days.items():
        number = (day - enrolled_on).days + 1
        if 1 <= number <= last_day and day <= today:
            row[number - 1] = metrics.USED if used else metrics.ABSTINENT
    return row


def _product(days, *, enrolled_on, today, rules):
    periods = metrics.abstinence_periods(rules)
    last_day = metrics.abstinence_grid_days(rules)
    grid = _grid(days, enrolled_on, today, last_day)[None, :]
    elapsed = np.array([(today - enrolled_on).days])
    found = metrics.abstinence_outcomes(grid, elapsed, periods)

    def plain(value):
        return None if np.isnan(value) else bool(value)

    return {key: (plain(itt[0]), plain(resp[0])) for key, (itt, resp) in found.items()}


@st.composite
def logs(draw):
    """A log of up to 200 days in stretches (abstinent, used, missing), starting on any weekday,
    some days before enrollment, seen on a day when some windows are not yet over."""
    enrolled_on = MONDAY + timedelta(days=draw(st.integers(0, 6)))
    days, number = {}, draw(st.integers(-3, 1))
    while number < 200:
        state = draw(st.sampled_from(["abstinent", "abstinent", "used", "missing"]))
        length = draw(st.integers(1, 12))
        for n in range(number, number + length):
            if state != "missing":
                days[enrolled_on + timedelta(days=n - 1)] = state == "used"
        number += length
    today = enrolled_on + timedelta(days=draw(st.integers(0, 210)))
    return days, enrolled_on, today


@st.composite
def rules(draw):
    windows = []
    for _ in range(draw(st.integers(1, 3))):
        first = draw(st.integers(1, 20))
        windows.append(Window(first, draw(st.integers(first, 26))))
    shortest = min(7 * (w.last_week - w.first_week + 1) for w in windows)
    return AbstinenceRules(
        timepoints=tuple(sorted(set(draw(st.lists(st.integers(1, 190), min_size=1, max_size=4))))),
        windows=tuple(windows),
        grace_days=draw(st.integers(0, shortest - 1)),  # mid-week ends of grace too
        lapse_rule=draw(st.sampled_from([metrics.STRICT, metrics.NOT_RELAPSED])),
    )


@settings(max_examples=400, deadline=None)
@given(log=logs(), chosen=rules())
def test_every_outcome_matches_the_day_by_day_definition(log, chosen):
    days, enrolled_on, today = log
    assert _product(days, enrolled_on=enrolled_on, today=today, rules=chosen) == reference(
        days, enrolled_on=enrolled_on, today=today, rules=chosen
    )


def _outcomes(pattern: str, *, rule: str, grace: int = 14, today_day: int = 200) -> dict:
    """pattern: one character per day from day 1: U used, . no use, space missing; days after
    the pattern up to day 168 abstinent."""
    pattern = pattern.ljust(168, ".")
    days = {MONDAY + timedelta(days=i): ch == "U" for i, ch in enumerate(pattern) if ch != " "}
    chosen = AbstinenceRules(grace_days=grace, lapse_rule=rule)
    today = MONDAY + timedelta(days=today_day - 1)
    return _product(days, enrolled_on=MONDAY, today=today, rules=chosen)


def test_relapse_is_seven_days_in_a_row_or_two_weeks_in_a_row():
    def day(n: int, ch: str = "U") -> str:  # a log with `ch` on day n, abstinent otherwise
        return "." * (n - 1) + ch

    # Use on days 20-26 (7 in a row, inside the period after the 14-day grace).
    seven = "." * 19 + "U" * 7
    assert _outcomes(seven, rule="not_relapsed")["prolonged_w1_12"] == (False, False)
    # Days 20-25 only (6 in a row, all in weeks 3 and 4: 15-21 and 22-28): two weeks in a row.
    assert _outcomes("." * 19 + "U" * 6, rule="not_relapsed")["prolonged_w1_12"] == (
        False,
        False,
    )
    # Use on day 16 (week 3) and day 30 (week 5): weeks 3 and 5 are not consecutive.
    apart = day(16) + "." * 13 + "U"
    assert _outcomes(apart, rule="not_relapsed")["prolonged_w1_12"] == (True, True)
    assert _outcomes(apart, rule="strict")["prolonged_w1_12"] == (False, False)
    # Use on day 21 and day 22: weeks 3 and 4 are consecutive.
    assert _outcomes(day(21) + "U", rule="not_relapsed")["prolonged_w1_12"] == (False, False)
    # Use in the grace period (days 1-14) does not count for prolonged, does for continuous.
    early = "UUUUUUUUUUUUUU"
    result = _outcomes(early, rule="strict")
    assert result["prolonged_w1_12"] == (True, True)
    assert result["continuous_w1_12"] == (False, False)
    assert result["ppa7_day84"] == (True, True) and result["ppa30_day84"] == (True, True)
    # Grace of 16 days ends mid-week: use on day 16 (grace) and day 22 (week 4) alone is no
    # relapse, as only day 17-21 of week 3 is in the period.
    assert _outcomes(day(16) + "....." + "U", rule="not_relapsed", grace=16)["prolonged_w1_12"] == (
        True,
        True,
    )


def test_missing_days_count_as_use_for_intent_to_treat_and_exclude_from_responders():
    # Day 80 missing: inside the last 7 days before day 84.
    result = _outcomes("." * 79 + " ", rule="not_relapsed")
    assert result["ppa7_day84"] == (False, None)
    assert result["ppa30_day84"] == (False, None)
    assert result["continuous_w1_12"] == (False, None)
    # A single missing day is no relapse, even counted as use.
    assert result["prolonged_w1_12"] == (True, None)
    assert result["continuous_w13_24"] == (True, True)
    # 7 missing days in a row count as a relapse under intent-to-treat.
    assert _outcomes("." * 29 + " " * 7, rule="not_relapsed")["prolonged_w1_12"] == (False, None)


def test_nobody_is_counted_before_the_outcome_day():
    result = _outcomes("", rule="strict", today_day=100)
    assert result["ppa7_day84"] == (True, True)
    assert result["ppa7_day168"] == (None, None)
    assert result["continuous_w13_24"] == (None, None)
    assert _outcomes("", rule="strict", today_day=83)["ppa7_day84"] == (None, None)


def test_wilson_and_newcombe_intervals_match_published_values():
    # Newcombe, Stat Med 1998;17:873-890: 81/263 (single proportion, Wilson) and
    # 56/70 - 48/80 (difference, method 10).
    single = metrics.proportion(81, 263)
    assert (round(single.low, 4), round(single.high, 4)) == (0.2553, 0.3662)
    diff = metrics.proportion_difference(metrics.proportion(56, 70), metrics.proportion(48, 80))
    assert [round(x, 4) for x in diff] == [0.2, 0.0524, 0.3339]
    assert metrics.proportion(0, 0) == metrics.Proportion(0, 0, None, None)
    assert metrics.proportion_difference(metrics.proportion(1, 2), metrics.proportion(0, 0)) == (
        None,
        None,
        None,
    )
    zero = metrics.proportion(0, 10)
    assert zero.low == 0 and round(zero.high, 4) == 0.2775


@pytest.fixture
def arms(db):
    """Six participants enrolled 100 days ago (day 84 passed, day 168 not): mentored a, b, c;
    comparison d, e, f."""
    program = factories.ProgramFactory(slug="abstinence")
    enrolled = program.today() - timedelta(days=99)
    people = {}
    for name, arm in zip("abcdef", ["mentored"] * 3 + ["comparison"] * 3, strict=True):
        people[name] = factories.MenteeProfileFactory(
            program=program, enrolled_on=enrolled, study_arm=arm
        )
    full = "." * 100
    log_days(program, people["a"], full)  # abstinent throughout
    log_days(program, people["b"], full[:80] + "U" + full[81:])  # use on day 81
    log_days(program, people["c"], full[:50] + " " + full[51:])  # day 51 missing
    log_days(program, people["d"], "U" + full[1:])  # use on day 1 only
    log_days(program, people["e"], full[:90])  # days 91-100 missing: day 84 is fine
    # f: no record at all
    return program, people


@pytest.mark.parametrize("summaries", ["current", "stale"])
def test_by_arm_figures_and_intervals_are_the_hand_computed_ones(client, arms, summaries):
    program, people = arms
    if summaries == "stale":
        # The days are counted from the log itself: no summary, one from before day states
        # were stored, one for another enrollment date.
        UseSummary.objects.filter(mentee=people["a"]).delete()
        old = UseSummary.objects.get(mentee=people["e"])
        old.days = None
        old.save(update_fields=["days"])
        UseSummary.objects.filter(mentee=people["b"]).update(
            enrolled_on=people["b"].enrolled_on - timedelta(days=3)
        )
    client.force_login(factories.make_user_with_role("staff", program))
    response = client.get(reverse("outcomes:report", kwargs={"slug": program.slug}))
    rows = {(r.period.key, r.analysis): r for r in response.context["summary"]["abstinence"]}
    # 7-day point prevalence at day 84: a, c abstinent; b used on day 81.
    # Comparison: d, e abstinent; f has no record (use, intent-to-treat).
    itt = rows[("ppa7_day84", "itt")]
    assert (itt.by_arm["mentored"].count, itt.by_arm["mentored"].n) == (2, 3)
    assert (itt.by_arm["comparison"].count, itt.by_arm["comparison"].n) == (2, 3)
    assert itt.difference[0] == 0
    # Continuous weeks 1-12: a only (c missed day 51); comparison: e only (d used on day 1).
    cont = rows[("continuous_w1_12", "itt")]
    assert [(p.count, p.n) for p in cont.by_arm.values()] == [(1, 3), (1, 3)]
    responders = rows[("continuous_w1_12", "responders")]
    assert [(p.count, p.n) for p in responders.by_arm.values()] == [(1, 2), (1, 2)]
    # 1/2: Wilson 0.0945 to 0.9055, but the report gives no interval below n = 3.
    half = responders.by_arm["mentored"]
    assert half.low is None and half.high is None and responders.difference[1] is None
    wilson = metrics.proportion(1, 2)
    assert (round(wilson.low, 4), round(wilson.high, 4)) == (0.0945, 0.9055)
    # Prolonged (strict, grace 14): a and c? c is missing day 51, so only a; comparison: d
    # (use in grace only) and e.
    prolonged = rows[("prolonged_w1_12", "itt")]
    assert [(p.count, p.n) for p in prolonged.by_arm.values()] == [(1, 3), (2, 3)]
    diff = metrics.proportion_difference(metrics.proportion(1, 3), metrics.proportion(2, 3))
    assert prolonged.difference == diff and round(diff[0], 4) == -0.3333
    # Day 168 has not come: nobody counted.
    assert all(p.n == 0 for p in rows[("ppa30_day168", "itt")].by_arm.values())
    body = response.content.decode()
    assert "Abstinence outcomes" in body and "7-day point prevalence at day 84" in body
    assert "Newcombe" in body and "2 / 3" in body


def test_the_export_carries_each_outcome_per_person(client, arms):
    program, people = arms
    client.force_login(factories.make_user_with_role("staff", program))
    url = reverse(
        "outcomes:export", kwargs={"slug": program.slug, "kind": "participants", "fmt": "csv"}
    )
    text = b"".join(client.get(url).streaming_content).decode()
    rows = {row["research_id"]: row for row in csv.DictReader(io.StringIO(text))}
    ids = exports.research_ids(program, [people[x].pk for x in "acf"])
    a, c, f = (rows[ids[people[x].pk]] for x in "acf")
    assert a["ppa7_day84_itt"] == "yes" and a["continuous_w1_12_responders"] == "yes"
    assert c["continuous_w1_12_itt"] == "no" and c["continuous_w1_12_responders"] == ""
    assert f["ppa30_day84_itt"] == "no" and f["ppa30_day84_responders"] == ""
    assert a["ppa7_day168_itt"] == "" and a["prolonged_w13_24_responders"] == ""


def test_program_settings_change_the_outcomes_and_refuse_bad_values(client, arms):
    program, _ = arms
    coordinator = factories.make_user_with_role("coordinator", program)
    client.force_login(coordinator)
    url = reverse("outcomes:settings", kwargs={"slug": program.slug})
    good = {
        "conflict_rule": "lab_then_self",
        "instruments": ["barc10", "bam"],
        "assessment_weeks": "4,12,24",
        "abstinence_timepoints": "90, 30",
        "abstinence_windows": "1-4,5-12",
        "grace_days": "7",
        "lapse_rule": "not_relapsed",
        "baseline_days": "90",
        "min_cell_size": "11",
    }
    assert client.post(url, good).status_code == 302
    saved = OutcomeSettings.objects.get(program=program)
    assert saved.instrument_codes == ["barc10", "bam"]
    assert saved.abstinence_rules == AbstinenceRules(
        timepoints=(30, 90),
        windows=(Window(1, 4), Window(5, 12)),
        grace_days=7,
        lapse_rule="not_relapsed",
    )
    for field, bad in [
        ("abstinence_timepoints", "0"),
        ("abstinence_timepoints", "99999999999999999999"),
        ("abstinence_timepoints", "1,2,3,4,5,6,7"),
        ("abstinence_timepoints", "NaN"),
        ("abstinence_windows", "5-2"),
        ("abstinence_windows", "1-600"),
        ("abstinence_windows", "1-\x00"),
        ("grace_days", "28"),  # not shorter than weeks 1-4
        ("grace_days", "-1"),
        ("grace_days", "1e309"),
        ("baseline_days", "366"),  # the baseline window is bounded: at most a year
        ("baseline_days", "-1"),
        ("lapse_rule", "lenient"),
        ("instruments", ["phq9"]),
        ("instruments", []),
    ]:
        response = client.post(url, {**good, field: bad})
        assert response.status_code == 200, (field, bad)
        assert response.context["form"].errors, (field, bad)
    client.force_login(factories.make_user_with_role("staff", program))
    rows = client.get(reverse("outcomes:report", kwargs={"slug": program.slug})).context["summary"][
        "abstinence"
    ]
    assert [r.period.key for r in rows[::2]] == [
        "ppa7_day30",
        "ppa30_day30",
        "ppa7_day90",
        "ppa30_day90",
        "continuous_w1_4",
        "prolonged_w1_4",
        "continuous_w5_12",
        "prolonged_w5_12",
    ]
    assert MenteeProfile.objects.filter(program=program).count() == 6
