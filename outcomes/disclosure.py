"""Identified exports: a disclosure under 42 CFR Part 2, for coordinators only.

Refused unless every participant in it has a written consent in force that covers the records
and the program evaluation as recipient. Each participant disclosed gets a Disclosure row (who,
when, to whom, why, which consent) and an audit entry; the file carries the section 2.32 notice.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils.timezone import now

from accounts import consents
from accounts.models import Consent, MenteeProfile, Program, User
from mentorship.audit import Action, audit_records_bulk
from outcomes import exports
from outcomes.models import Disclosure

NOTICE_2_32 = (
    "42 CFR part 2 prohibits unauthorized use or disclosure of these records. This record "
    "which has been disclosed to you is protected by Federal confidentiality rules (42 CFR "
    "part 2). These rules prohibit you from using or disclosing this record, or testimony that "
    "describes the information contained in this record, in any civil, criminal, "
    "administrative, or legislative proceedings by any Federal, State, or local authority, "
    "against the patient, unless authorized by the consent of the patient, except as provided "
    "at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. "
    "In addition, the Federal rules prohibit you from making any other use or disclosure of "
    "this record unless at least one of the following applies: further use or disclosure is "
    "expressly permitted by the written consent of the individual whose information is being "
    "disclosed in this record or as otherwise permitted by 42 CFR part 2; you are a covered "
    "entity or business associate and have received the record for treatment, payment, or "
    "health care operations; or you have received the record from an individual or entity "
    "that is a covered entity or business associate and have been informed that the record "
    "is protected by these rules. A general authorization for the release of medical or other "
    "information is NOT sufficient to meet the required elements of written consent to "
    "further use or redisclose the record (see 42 CFR 2.31)."
)

# What a consent must cover for each kind of identified export. The check-in rows say whether
# use was reported, which the consent declaration (accounts.consents) puts under the use log.
REQUIRED_FLAGS = {
    "participants": ("covers_use_log", "covers_assessments", "to_evaluation"),
    "days": ("covers_use_log", "to_evaluation"),
    "checkins": ("covers_checkin_notes", consents.scope_of("checkin.use"), "to_evaluation"),
    # Interview outcomes and dates, with the use log's past-30-day figures.
    "interviews": ("covers_use_log", "to_evaluation"),
}


@dataclass
class ConsentCheck:
    covered: dict[int, int]  # mentee pk -> consent pk
    missing: list[str]  # participant IDs without a covering consent


def consents_check(*, program: Program, kind: str) -> ConsentCheck:
    mentees = dict(
        MenteeProfile.objects.filter(program=program).values_list("pk", "participant_id")
    )
    consents = (
        Consent.objects.filter(Consent.active_q(), mentee__program=program)
        .filter(**dict.fromkeys(REQUIRED_FLAGS[kind], True))
        .order_by("mentee_id", "-version")
        .values_list("mentee_id", "pk")
    )
    covered: dict[int, int] = {}
    for mentee_id, consent_id in consents:
        covered.setdefault(mentee_id, consent_id)  # the newest covering version
    missing = sorted(pid for pk, pid in mentees.items() if pk not in covered)
    return ConsentCheck(covered=covered, missing=missing)


@transaction.atomic
def disclosure_record(
    *,
    actor: User,
    program: Program,
    kind: str,
    recipient: str,
    purpose: str,
    covered: dict[int, int],
    request=None,
) -> int:
    stamp = now()
    Disclosure.objects.bulk_create(
        Disclosure(
            program=program,
            mentee_id=mentee_id,
            consent_id=consent_id,
            recipient=recipient,
            purpose=purpose,
            kind=kind,
            disclosed_by=actor,
            disclosed_at=stamp,
        )
        for mentee_id, consent_id in covered.items()
    )
    people = dict(MenteeProfile.objects.filter(pk__in=list(covered)).values_list("pk", "user_id"))
    audit_records_bulk(
        {
            "actor": actor,
            "action": Action.DISCLOSE,
            "object_type": f"outcomes.export.{kind}",
            "object_id": "identified",
            "program": program,
            "person": User(pk=people[mentee_id]),
            "request": request,
        }
        for mentee_id in sorted(covered)
    )
    return len(covered)


def identified_rows(*, program: Program, kind: str, mentee_ids: set[int]) -> exports.Export:
    """The de-identified rows with names, e-mail and real dates added, for consenting people."""
    deidentified = exports.export_rows(
        program=program, kind=kind, today=program.today(), identified=True
    )
    header, rows = deidentified.header, deidentified.rows
    people = {
        pid: (f"{first} {last}".strip(), email, enrolled)
        for pid, first, last, email, enrolled in MenteeProfile.objects.filter(
            pk__in=mentee_ids
        ).values_list("participant_id", "first_name", "last_name", "user__email", "enrolled_on")
    }
    # Each day number gets its date at the end: "day_number" -> "date", "due_day_number" ->
    # "due_date" (a day number is blank where there is no date, e.g. a discharge not yet due).
    day_cols = [i for i, name in enumerate(header) if name.endswith("day_number")]
    new_header = ["participant_id", "name", "email", "enrolled_on", *header[1:]]
    new_header += [header[i].removesuffix("day_number") + "date" for i in day_cols]

    def generate():
        for row in rows:
            person = people.get(row[0])
            if person is None:
                continue
            name, email, enrolled = person
            out = [row[0], name, email, enrolled.isoformat(), *row[1:]]
            out += [
                "" if row[i] == "" else (enrolled + timedelta(days=row[i] - 1)).isoformat()
                for i in day_cols
            ]
            yield out

    return exports.Export(new_header, generate())
