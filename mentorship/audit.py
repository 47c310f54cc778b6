"""Write audit entries. Every service that changes participant data calls `audit_record`;
views that show a sensitive record call `audit_view`."""

from collections.abc import Iterable

from django.db import models

from mentorship.models import AuditEntry

Action = AuditEntry.Action


def client_ip(request) -> str | None:
    # Behind the production proxy REMOTE_ADDR is set by gunicorn from the trusted hop.
    return request.META.get("REMOTE_ADDR") if request is not None else None


def _program_and_person(obj: models.Model | None):
    """Find the program and participant an object belongs to, from its access paths."""
    paths = getattr(type(obj), "access_paths", None) if obj is not None else None
    if paths is None:
        return None, None
    program_id = _follow(obj, paths.program + "_id") if paths.program else None
    person_id = None
    subject_path = paths.mentee if paths.mentee is not None else paths.mentor
    if subject_path is not None:
        subject = _follow(obj, subject_path) if subject_path else obj
        person_id = getattr(subject, "user_id", None)
    return program_id, person_id


def _follow(obj, path: str):
    for part in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


def audit_record(**details) -> AuditEntry:
    """Write one audit entry (see `_entry` for what it takes)."""
    entry = _entry(**details)
    entry.save()
    return entry


def audit_records_bulk(entries: Iterable[dict]) -> list[AuditEntry]:
    """audit_record() of each dict of its keyword arguments, written in one INSERT: bulk
    writes would otherwise add an INSERT per row."""
    return AuditEntry.objects.bulk_create([_entry(**details) for details in entries])


def _entry(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    program=None,
    person=None,
    fields: Iterable[str] = (),
    request=None,
    at=None,
) -> AuditEntry:
    program_id, person_id = _program_and_person(obj)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    entry = AuditEntry(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        program_id=program.pk if program is not None else program_id,
        person_id=person.pk if person is not None else person_id,
        fields=sorted(fields),
        ip=client_ip(request),
    )
    if at is not None:  # only seeding writes history at its own time (the demo's past)
        entry.at = at
    return entry


def audit_view(request, obj: models.Model) -> AuditEntry:
    return audit_record(actor=request.user, action=Action.VIEW, obj=obj, request=request)


def changed_fields(form) -> list[str]:
    return list(form.changed_data) if form is not None else []
