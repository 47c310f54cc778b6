"""The Brief Addiction Monitor, added as data (outcomes.instruments.BAM): scoring of known
answer sets, the form and schedule pages, reminders, report rows and export columns, all
through the paths BARC-10 takes."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from notifications.models import Notification
from outcomes import exports, services
from outcomes.assessments import assessment_reminders_plan
from outcomes.instruments import BAM, INSTRUMENTS
from outcomes.models import Assessment, OutcomeSettings
from tests import factories

KEYS = [item.key for item in BAM.items]


def answers(**by_key) -> list[int]:
    """Answers in form order, 0 unless given (item keys with a leading "i": i7a=3)."""
    given_ = {key.removeprefix("i"): value for key, value in by_key.items()}
    return [given_.get(key, 0) for key in KEYS]


def test_seventeen_items_item_seven_in_seven_parts_all_past_30_days():
    assert [
        *map(str, range(1, 7)),
        *(f"7{letter}" for letter in "abcdefg"),
        *map(str, range(8, 18)),
    ] == KEYS
    assert len({key.rstrip("abcdefg") for key in KEYS}) == 17
    assert "30 days" in str(BAM.instructions)
    assert INSTRUMENTS["bam"] is BAM


def test_known_answer_sets_score_as_the_bam_manual():
    assert BAM.score(answers()) == {"use": 0, "risk": 0, "protective": 0}
    # Highest answer everywhere (item 14 is No 0 / Yes 4).
    assert BAM.score([4] * len(KEYS)) == {"use": 12, "risk": 24, "protective": 24}
    worked = answers(
        i1=2, i2=1, i3=3, i4=2, i5=1, i6=0, i7a=4,
        i8=2, i9=3, i10=4, i11=1, i12=0, i13=2, i14=4, i15=1, i16=3, i17=4,
    )  # fmt: skip
    # use 4+5+6 = 2+1+0; risk 1+2+3+8+11+15 = 2+1+3+2+1+1; protective 9+10+12+13+14+16
    # = 3+4+0+2+4+3.
    assert BAM.score(worked) == {"use": 3, "risk": 10, "protective": 16}
    scores = {s.code: BAM.score_range(s) for s in BAM.scores}
    assert scores == {"use": (0, 12), "risk": (0, 24), "protective": (0, 24)}


@given(
    st.lists(st.integers(0, 4), min_size=len(KEYS), max_size=len(KEYS)),
    st.lists(st.integers(0, 4), min_size=8, max_size=8),
)
def test_items_seven_a_to_g_and_seventeen_are_in_no_score(base, other):
    base[KEYS.index("14")] = 4 if base[KEYS.index("14")] else 0
    changed = list(base)
    for key, value in zip([*(f"7{c}" for c in "abcdefg"), "17"], other, strict=True):
        changed[KEYS.index(key)] = value
    assert BAM.score(changed) == BAM.score(base)


@pytest.mark.parametrize(
    "bad",
    [
        [0] * 17,  # the 17 numbered items without 7's parts
        answers(i14=2),  # item 14 is No (0) or Yes (4)
        answers(i2=5),
        answers(i9=-1),
    ],
)
def test_wrong_counts_and_answers_off_an_items_scale_are_refused(bad):
    with pytest.raises(ValueError):
        BAM.score(bad)


@pytest.fixture
def bam_program(db):
    program = factories.ProgramFactory(slug="bam")
    OutcomeSettings.objects.create(program=program, instruments="barc10,bam")
    return program


def test_a_mentee_fills_in_the_bam_and_sees_its_scores(client, bam_program):
    mentee = factories.MenteeProfileFactory(program=bam_program)
    client.force_login(mentee.user)
    url = reverse(
        "outcomes:assessment_fill",
        kwargs={"mentee_pk": mentee.pk, "instrument": "bam", "week": 0},
    )
    form = client.get(url)
    assert form.status_code == 200
    body = form.content.decode()
    assert "7c. Days you used cocaine or crack" in body and "16-30 days" in body
    values = answers(i4=1, i6=2, i1=3, i9=4, i14=4)
    data = {f"item_{n}": str(v) for n, v in enumerate(values, start=1)}
    data["completed_on"] = mentee.enrolled_on
    assert client.post(url, data).status_code == 302
    saved = Assessment.objects.get(mentee=mentee, instrument="bam")
    assert saved.scores == {"use": 3, "risk": 3, "protective": 8} and saved.total is None
    page = client.get(reverse("outcomes:assessments", kwargs={"mentee_pk": mentee.pk}))
    text = page.content.decode()
    assert "BAM protective factors" in text and "BARC-10 (Brief" in text
    assert "BAM use: from 0 to 12" in text


def test_a_program_that_did_not_choose_the_bam_does_not_offer_it(client, world):
    client.force_login(world.mentee)
    url = reverse(
        "outcomes:assessment_fill",
        kwargs={"mentee_pk": world.mentee_profile.pk, "instrument": "bam", "week": 0},
    )
    assert client.get(url).status_code == 404
    body = client.get(reverse("home")).content.decode()
    assert "intake BARC-10" in body and "BAM" not in body


def test_the_bam_is_due_and_reminded_like_barc10(client, bam_program):
    mentee = factories.MenteeProfileFactory(program=bam_program, enrolled_on=date(2026, 6, 1))
    with time_machine.travel(datetime(2026, 6, 1, 15, tzinfo=UTC), tick=False):
        assert assessment_reminders_plan(program=bam_program) == 2
        client.force_login(mentee.user)
        body = client.get(reverse("home")).content.decode()
    topics = set(Notification.objects.filter(recipient=mentee.user).values_list("topic", flat=True))
    assert topics == {f"assessment:{mentee.pk}:barc10:0", f"assessment:{mentee.pk}:bam:0"}
    assert "intake BAM (Brief Addiction Monitor)" in body
    # Recording the BAM withdraws its reminder only.
    with time_machine.travel(datetime(2026, 6, 1, 16, tzinfo=UTC), tick=False):
        services.assessment_record(
            actor=mentee.user,
            mentee=mentee,
            instrument="bam",
            week=0,
            answers=answers(),
            completed_on=date(2026, 6, 1),
        )
    pending = Notification.objects.filter(recipient=mentee.user, status="pending")
    assert list(pending.values_list("topic", flat=True)) == [f"assessment:{mentee.pk}:barc10:0"]


def _bam(mentee, week, **by_key):
    services.assessment_record(
        actor=None,
        mentee=mentee,
        instrument="bam",
        week=week,
        answers=answers(**by_key),
        completed_on=mentee.enrolled_on,
    )


def test_report_rows_and_export_columns_per_bam_score(client, bam_program):
    enrolled = bam_program.today() - timedelta(days=60)
    a, b = (
        factories.MenteeProfileFactory(program=bam_program, enrolled_on=enrolled, study_arm=arm)
        for arm in ("mentored", "mentored")
    )
    c = factories.MenteeProfileFactory(
        program=bam_program, enrolled_on=enrolled, study_arm="comparison"
    )
    _bam(a, 0, i4=4, i5=4, i6=4, i1=4)  # use 12, risk 4
    _bam(a, 4, i4=1, i1=2)  # use 1, risk 2
    _bam(a, 8, i4=0, i9=4)  # latest: use 0, protective 4
    _bam(b, 0, i6=2, i16=4)  # use 2, protective 4; no follow-up
    _bam(c, 0, i5=3, i11=4)  # use 3, risk 4
    _bam(c, 4, i5=1, i11=2)  # use 1, risk 2
    client.force_login(factories.make_user_with_role("staff", bam_program))
    response = client.get(reverse("outcomes:report", kwargs={"slug": bam_program.slug}))
    rows = {row.label: row for row in response.context["summary"]["score_rows"]}
    intake = rows["BAM use at intake"]
    assert (intake.by_arm["mentored"].n, intake.by_arm["mentored"].mean) == (2, 7.0)
    assert intake.by_arm["comparison"].mean == 3.0
    change = rows["BAM use change from intake to latest"]
    assert (change.by_arm["mentored"].n, change.by_arm["mentored"].mean) == (1, -12.0)
    assert change.by_arm["comparison"].mean == -2.0 and change.difference[0] == -10.0
    assert rows["BAM risk factors change from intake to latest"].by_arm["mentored"].mean == -4
    assert rows["BAM protective factors at intake"].by_arm["mentored"].mean == 2.0
    assert rows["BARC-10 at intake"].by_arm["mentored"].n == 0
    assert "BAM protective factors change from intake to latest" in response.content.decode()

    url = reverse(
        "outcomes:export", kwargs={"slug": bam_program.slug, "kind": "participants", "fmt": "csv"}
    )
    text = b"".join(client.get(url).streaming_content).decode()
    reader = csv.DictReader(io.StringIO(text))
    columns = [
        f"bam_{s}_{p}"
        for s in ("use", "risk", "protective")
        for p in ("intake", "latest", "change")
    ]
    assert set(columns) <= set(reader.fieldnames)
    assert reader.fieldnames.index("barc10_change") < reader.fieldnames.index("bam_use_intake")
    found = {row["research_id"]: row for row in reader}
    ids = exports.research_ids(bam_program, [a.pk, b.pk])
    row_a, row_b = found[ids[a.pk]], found[ids[b.pk]]
    assert [row_a[c] for c in columns] == ["12", "0", "-12", "4", "0", "-4", "0", "4", "4"]
    assert [row_b[c] for c in columns[:3]] == ["2", "2", ""]  # latest: the intake, no change
    assert row_a["barc10_intake"] == ""
