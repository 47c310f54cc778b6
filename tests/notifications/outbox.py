"""Run the outbox in the test process: what the beat task and a worker do, minus the broker."""

from notifications import services


def send_due() -> list[dict]:
    """Claim every due message and send each batch; returns each batch's counts."""
    tokens = []
    while (token := services.notification_claim_due()) is not None:
        tokens.append(token)
    return [services.notification_send_batch(token=str(token)) for token in tokens]
