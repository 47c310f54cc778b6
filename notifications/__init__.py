"""The one outbox (created on the `outbox` branch; an empty package here so the layers contract names it)."""
