"""Cohort matching as a background run: progress on a stored row, the plan stored per mentee and
shown a page at a time (filters, CSV), pins and removals on single rows, then "propose all".

The task is run in-process through its service (`cohort_run_compute`), as a worker would; no
delivery guarantee beyond "a redelivered message does not solve twice" is claimed."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from accounts.models import FocusArea, Membership, MenteeFocusArea
from matching import cohort_runs
from matching.models import CohortPair, CohortRun, Match
from matching.tasks import cohort_run_compute
from mentorship.models import AuditEntry
from tests import factories


@pytest.fixture
def world(db):
    program = factories.ProgramFactory()
    coordinator = factories.make_user_with_role(Membership.Role.COORDINATOR, program)
    mentors = [factories.MentorProfileFactory(program=program, capacity=1) for _ in range(2)]
    mentees = [factories.MenteeProfileFactory(program=program) for _ in range(3)]
    factories.MenteeProfileFactory(program=program, study_arm="comparison")
    return program, coordinator, mentors, mentees


def _start(client, program, django_capture_on_commit_callbacks, **data) -> CohortRun:
    url = reverse("matching:cohort", kwargs={"slug": program.slug})
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, data)
    assert response.status_code == 302
    # The task is sent when the run is committed (delay_on_commit), never before.
    assert len(callbacks) == 1
    return CohortRun.objects.filter(program=program).first()


def test_a_run_is_queued_then_solved_by_the_worker_with_progress(
    world, client, django_capture_on_commit_callbacks, monkeypatch
):
    program, coordinator, mentors, mentees = world
    client.force_login(coordinator)
    url = reverse("matching:cohort", kwargs={"slug": program.slug})

    run = _start(client, program, django_capture_on_commit_callbacks)
    assert run.status == "queued" and run.started_by == coordinator
    page = client.get(url)
    assert b"data-cohort-run" in page.content and page.context.get("page") is None
    progress_url = reverse("matching:cohort_progress", kwargs={"slug": program.slug, "pk": run.pk})
    assert client.get(progress_url).json()["status"] == "queued"

    # Progress is written while the solver goes through the mentees, a chunk at a time.
    seen = []
    real = cohort_runs.cohort_assign

    def observed(*args, progress, **kwargs):
        def spy(done, total):
            progress(done, total)
            seen.append(CohortRun.objects.values_list("mentees_done", "status").get(pk=run.pk))

        return real(*args, progress=spy, **kwargs)

    monkeypatch.setattr(cohort_runs, "cohort_assign", observed)
    monkeypatch.setattr(cohort_runs, "PROGRESS_EVERY", 1)
    monkeypatch.setattr("matching.cohort.CHUNK_PAIRS", 2)  # one mentee per chunk
    cohort_runs.cohort_run_compute(run_id=run.pk)
    cohort_runs.cohort_run_compute(run_id=run.pk)  # a redelivered message changes nothing

    assert seen == [(1, "running"), (2, "running"), (3, "running")]
    run.refresh_from_db()
    assert (run.status, run.matched, run.unmatched, run.percent) == ("done", 2, 1, 100)
    assert CohortPair.objects.filter(run=run).count() == 3
    assert run.total_score == sum(
        CohortPair.objects.filter(run=run).values_list("score", flat=True).exclude(score=None)
    )
    assert client.get(progress_url).json() == {
        "status": "done",
        "label": "Ready",
        "percent": 100,
        "finished": True,
    }
    page = client.get(url)
    assert page.context["page"].paginator.count == 3
    explained = [row for row in page.context["page"] if row.mentor_id]
    assert all(sum(p.points for p in row.explanation.parts) == row.score for row in explained)
    assert AuditEntry.objects.filter(action="view", object_type="matching.cohortrun").exists()


def test_only_the_chosen_participants_are_matched(
    world, client, django_capture_on_commit_callbacks
):
    program, coordinator, mentors, mentees = world
    client.force_login(coordinator)

    run = _start(
        client,
        program,
        django_capture_on_commit_callbacks,
        participant_ids=f" {mentees[2].participant_id.lower()} ",
    )
    # The Celery task itself, run eagerly in-process: ids in, the service does the work.
    cohort_run_compute.apply(args=[run.pk]).get()

    assert list(CohortPair.objects.filter(run=run).values_list("mentee_id", flat=True)) == [
        mentees[2].pk
    ]
    url = reverse("matching:cohort", kwargs={"slug": program.slug})
    response = client.post(url, {"participant_ids": "NOPE-1"}, follow=True)
    assert "Not waiting in this program: NOPE-1." in response.content.decode()


@pytest.fixture
def big_world(db):
    """60 mentees, 20 mentors with 2 places: 40 matched, 20 not; half the mentees need focus A."""
    program = factories.ProgramFactory()
    coordinator = factories.make_user_with_role(Membership.Role.COORDINATOR, program)
    focus = FocusArea.objects.create(program=program, name="Cohort test focus")
    mentors = [factories.MentorProfileFactory(program=program, capacity=2) for _ in range(20)]
    mentees = [factories.MenteeProfileFactory(program=program) for _ in range(60)]
    MenteeFocusArea.objects.bulk_create(
        MenteeFocusArea(mentee=m, focus_area=focus, priority=3) for m in mentees[::2]
    )
    run = cohort_runs.cohort_run_start(program=program, actor=coordinator)
    cohort_runs.cohort_run_compute(run_id=run.pk)
    run.refresh_from_db()
    return program, coordinator, mentors, mentees, focus, run


def test_the_plan_is_shown_a_page_at_a_time_with_filters(big_world, client):
    program, coordinator, mentors, mentees, focus, run = big_world
    client.force_login(coordinator)
    url = reverse("matching:cohort", kwargs={"slug": program.slug})
    assert (run.matched, run.unmatched) == (40, 20)

    page = client.get(url).context["page"]
    assert (page.paginator.count, len(page.object_list)) == (60, 50)
    second = client.get(url, {"page": 2}).context["page"]
    assert len(second.object_list) == 10

    def shown(**filters):
        return list(client.get(url, filters).context["page"].paginator.object_list)

    assert len(shown(show="unmatched")) == 20
    assert all(row.mentor_id is None for row in shown(show="unmatched"))
    assert len(shown(show="planned")) == 40
    focused = {m.pk for m in mentees[::2]}
    assert {row.mentee_id for row in shown(focus=focus.pk)} == focused
    mentor = mentors[0]
    by_name = shown(mentor=mentor.last_name, show="planned")
    assert by_name and all(
        mentor.last_name.lower() in row.mentor.last_name.lower() for row in by_name
    )
    band = shown(band="80")
    assert all(row.score >= 80 for row in band)
    assert (
        len(shown(band="80")) + len(shown(band="60")) + len(shown(band="40")) + len(shown(band="0"))
        == 40
    )
    # A garbled filter is ignored, not an error.
    assert client.get(url, {"band": "999", "focus": "x", "page": "z"}).status_code == 200


def test_the_plan_page_has_a_constant_query_count(big_world, client, world):
    program, coordinator, *_, run = big_world
    small_program, small_coordinator, *_ = world
    small = cohort_runs.cohort_run_start(program=small_program, actor=small_coordinator)
    cohort_runs.cohort_run_compute(run_id=small.pk)

    def count(user, slug):
        client.force_login(user)
        url = reverse("matching:cohort", kwargs={"slug": slug})
        client.get(url)  # warm caches (sessions, content types)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url, {"show": "planned"})
        return len(queries), len(page.context["page"].object_list)

    few, rows_few = count(small_coordinator, small_program.slug)
    many, rows_many = count(coordinator, program.slug)
    assert (rows_few, rows_many) == (2, 40)
    assert few == many


def test_csv_download_streams_the_whole_plan_and_is_audited(big_world, client):
    program, coordinator, mentors, mentees, focus, run = big_world
    client.force_login(coordinator)
    mentees[0].first_name = "=HYPERLINK(1)"
    mentees[0].save()

    response = client.get(
        reverse("matching:cohort_csv", kwargs={"slug": program.slug, "pk": run.pk})
    )

    assert response.streaming and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 60
    assert sum(1 for row in rows if row["mentor_id"]) == 40
    assert {row["mentee_participant_id"] for row in rows} == {m.participant_id for m in mentees}
    first = next(r for r in rows if r["mentee_participant_id"] == mentees[0].participant_id)
    assert first["mentee_name"].startswith("'=")
    assert AuditEntry.objects.filter(action="export", object_type="matching.cohortrun").exists()


def test_pins_and_removals_carry_into_the_next_run_and_propose_writes_the_rest(
    big_world, client, django_capture_on_commit_callbacks
):
    program, coordinator, mentors, mentees, focus, run = big_world
    client.force_login(coordinator)
    planned = CohortPair.objects.filter(run=run, mentor__isnull=False).order_by("pk")
    keep, drop = planned[0], planned[1]

    back = "?show=planned&page=1"
    for pair, action in ((keep, "pin"), (drop, "remove")):
        response = client.post(
            reverse("matching:cohort_pair_action", kwargs={"pk": pair.pk, "action": action}),
            {"back": back},
        )
        assert response.url.endswith(back)
    # Only an on-site query string is followed back.
    response = client.post(
        reverse("matching:cohort_pair_action", kwargs={"pk": keep.pk, "action": "pin"}),
        {"back": "https://evil.example/"},
    )
    assert response.url == reverse("matching:cohort", kwargs={"slug": program.slug})
    response = client.post(
        reverse("matching:cohort_pair_action", kwargs={"pk": keep.pk, "action": "pin"}),
        {"back": "?show=x\r\nSet-Cookie: a=b\x00"},
    )
    assert response.status_code == 302 and "\n" not in response.url
    page = client.get(reverse("matching:cohort", kwargs={"slug": program.slug}))
    assert page.context["planned"] == 39 and page.context["removed"] == 1

    with django_capture_on_commit_callbacks():
        client.post(reverse("matching:cohort_replan", kwargs={"slug": program.slug, "pk": run.pk}))
    again = CohortRun.objects.filter(program=program).first()
    assert again.pk != run.pk
    cohort_runs.cohort_run_compute(run_id=again.pk)
    rows = CohortPair.objects.filter(run=again, mentor__isnull=False)
    assert rows.filter(mentee=keep.mentee, mentor=keep.mentor, pinned=True).exists()
    assert not rows.filter(mentee=drop.mentee, mentor=drop.mentor).exists()

    # Take one more out of the new plan, then propose all the others.
    out = rows.exclude(pinned=True).first()
    client.post(reverse("matching:cohort_pair_action", kwargs={"pk": out.pk, "action": "remove"}))
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(
            reverse("matching:cohort_propose", kwargs={"slug": program.slug, "pk": again.pk})
        )
    assert len(callbacks) == 1
    again.refresh_from_db()
    assert again.status == "proposing"
    # The plan can no longer change while it is written.
    response = client.post(
        reverse("matching:cohort_pair_action", kwargs={"pk": out.pk, "action": "restore"}),
        follow=True,
    )
    assert "can no longer be changed" in response.content.decode()

    with django_capture_on_commit_callbacks(execute=False):
        written = cohort_runs.cohort_run_propose(run_id=again.pk, actor_id=coordinator.pk)
    expected = set(rows.filter(removed=False).values_list("mentee_id", "mentor_id"))
    assert written == len(expected) == again.matched - 1
    assert set(Match.objects.filter(program=program).values_list("mentee_id", "mentor_id")) == (
        expected
    )
    again.refresh_from_db()
    assert (again.status, again.proposed_count) == ("proposed", written)
    assert cohort_runs.cohort_run_propose(run_id=again.pk, actor_id=coordinator.pk) == 0


def test_an_out_of_date_plan_writes_nothing_and_says_why(big_world, client):
    program, coordinator, mentors, mentees, focus, run = big_world
    client.force_login(coordinator)
    pair = CohortPair.objects.filter(run=run, mentor__isnull=False).first()
    # The mentor stopped taking mentees after the plan was made.
    pair.mentor.is_active = False
    pair.mentor.save()

    cohort_runs.cohort_run_propose_start(run=run, actor=coordinator)
    assert cohort_runs.cohort_run_propose(run_id=run.pk, actor_id=coordinator.pk) == 0

    assert not Match.objects.exists()
    run.refresh_from_db()
    assert run.status == "failed" and "hard constraint" in run.error_text
    url = reverse("matching:cohort", kwargs={"slug": program.slug})
    page = client.get(url).content.decode()
    assert escape(run.error_text) in page and "now breaks a hard constraint" in page

    # Stored untranslated by the worker: a Spanish reader reads it in Spanish.
    type(coordinator).objects.filter(pk=coordinator.pk).update(preferred_language="es")
    with translation.override("es"):
        spanish = run.error_text
    assert "hard constraint" not in spanish
    with translation.override("en"):
        page = client.get(url).content.decode()
    assert escape(spanish) in page and "hard constraint" not in page


def test_another_programs_coordinator_reaches_nothing(big_world, client, world):
    program, coordinator, mentors, mentees, focus, run = big_world
    _, other_coordinator, *_ = world
    client.force_login(other_coordinator)
    pair = CohortPair.objects.filter(run=run, mentor__isnull=False).first()
    kwargs = {"slug": program.slug, "pk": run.pk}

    assert client.get(reverse("matching:cohort_csv", kwargs=kwargs)).status_code == 404
    assert client.get(reverse("matching:cohort_progress", kwargs=kwargs)).status_code == 404
    assert client.post(reverse("matching:cohort_propose", kwargs=kwargs)).status_code == 404
    url = reverse("matching:cohort_pair_action", kwargs={"pk": pair.pk, "action": "remove"})
    assert client.post(url).status_code == 404
    pair.refresh_from_db()
    assert not pair.removed


def test_why_not_matched_is_shown_in_the_readers_language(
    world, client, django_capture_on_commit_callbacks
):
    """The worker has no reader: it stores msgids (and the words' msgids), and the page
    translates them for whoever reads it (issue #15)."""
    program, coordinator, mentors, mentees = world
    client.force_login(coordinator)
    run = _start(client, program, django_capture_on_commit_callbacks)
    cohort_runs.cohort_run_compute(run_id=run.pk)
    unmatched = CohortPair.objects.get(run=run, mentor=None)
    assert unmatched.reason == "Every compatible mentor's places went to other mentees"
    url = reverse("matching:cohort", kwargs={"slug": program.slug})
    assert escape(unmatched.reason) in client.get(url).content.decode()

    type(coordinator).objects.filter(pk=coordinator.pk).update(preferred_language="es")
    with translation.override("es"):
        places = translation.gettext(unmatched.reason)
        language = translation.gettext("no shared language")
    assert places != unmatched.reason and language != "no shared language"
    with translation.override("en"):  # the request activates Spanish; put English back after
        html = client.get(url).content.decode()
    assert escape(places) in html and escape(unmatched.reason) not in html

    # A reason with parameters: its words are translated too.
    unmatched.reason = (
        "No mentor with a place passes the hard constraints (most often: %(reasons)s)"
    )
    unmatched.reason_words = ["no shared language"]
    unmatched.save()
    with translation.override("en"):
        html = client.get(url).content.decode()
    assert language in html and "no shared language" not in html


@pytest.mark.parametrize(("worker", "reader"), [("en", "es"), ("es", "en")])
def test_a_runs_problems_are_shown_in_the_readers_language(world, client, worker, reader):
    """Problems found by the worker (pins dropped) are stored as msgids and their values, and
    shown in the language of whoever reads the page, whatever the worker's was (issue #15)."""
    program, coordinator, mentors, mentees = world
    gone = factories.MentorProfileFactory()  # in another program
    run = cohort_runs.cohort_run_start(
        program=program,
        actor=coordinator,
        # The second pin asks for a second place the mentor does not have.
        pins=[
            (mentees[0].pk, mentors[0].pk),
            (mentees[1].pk, mentors[0].pk),
            (mentees[2].pk, gone.pk),
        ],
    )
    with translation.override(worker):
        cohort_runs.cohort_run_compute(run_id=run.pk)
    run.refresh_from_db()
    assert [problem["msgid"] for problem in run.problems] == [
        "Pinned pair %(mentee)s – %(mentor)s breaks a hard constraint or the mentor's "
        "capacity, and was dropped.",
        "A pinned pair is no longer available and was dropped.",
    ]
    expected = {}
    for language in ("en", "es"):
        with translation.override(language):
            expected[language] = run.problem_texts
    assert expected["en"] != expected["es"]
    assert mentees[1].first_name in expected["es"][0]

    type(coordinator).objects.filter(pk=coordinator.pk).update(preferred_language=reader)
    client.force_login(coordinator)
    with translation.override(worker):  # the request activates the reader's; put it back after
        html = client.get(reverse("matching:cohort", kwargs={"slug": program.slug})).content
    html = html.decode()
    assert all(escape(text) in html for text in expected[reader])
    assert not any(escape(text) in html for text in expected[worker])


def test_problems_stored_as_text_before_are_still_shown(world, client):
    program, coordinator, *_ = world
    run = cohort_runs.cohort_run_start(program=program, actor=coordinator)
    cohort_runs.cohort_run_compute(run_id=run.pk)
    old = "A pinned pair is no longer available and was dropped."
    CohortRun.objects.filter(pk=run.pk).update(problems=[old])
    client.force_login(coordinator)
    html = client.get(reverse("matching:cohort", kwargs={"slug": program.slug})).content.decode()
    assert old in html
