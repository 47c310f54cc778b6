"""Run the outbox in the test process: what the beat task and a worker do, minus the broker."""

from notifications import services


def send_due() -> list[dict]:
    """Claim every due message and send each batch; returns each batch's counts."""
    tokens = []
    while (token := services.notification_claim_due()) is not None:
        tokens.append(token)
    return [services.notification_send_batch(token=str(token)) for token in tokens]


def quiet_hours_off(*programs) -> None:
    """No quiet hours for these programs. The default (21:00-08:00 program time) holds back
    every e-mail a test sends between those hours, so a test about what is sent -- not about
    when -- turns them off rather than pass or fail by the clock."""
    from datetime import time

    from checkins.models import CheckinSettings

    for program in programs:
        CheckinSettings.objects.update_or_create(
            program=program, defaults={"quiet_start": time(0), "quiet_end": time(0)}
        )
