"""Doors between layers: a lower package owns a hook or registry, higher apps fill it.

A lower app never imports a higher one (import-linter checks it). When something in a lower app
must make a higher one act (a check-in's use report reaching the use log) or show something
(a panel on a dashboard, an e-mail kind in the outbox), the lower package defines a `Hook` or a
`Registry` here-shaped, and the higher app connects to it in its `AppConfig.ready()`.

Unlike Django signals, a hook's receivers run in the caller's transaction and in the order
they were connected, and an exception propagates: a hand-off that fails rolls back the change
that caused it instead of vanishing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Hook:
    """Something happened in a lower app; higher apps react in the same transaction."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._receivers: list[Callable[..., Any]] = []

    def connect(self, receiver: Callable[..., Any]) -> Callable[..., Any]:
        # Idempotent: `ready()` may run twice in some test runners.
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def __call__(self, **kwargs: Any) -> None:
        for receiver in self._receivers:
            receiver(**kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._receivers)} receivers>"


class Registry(Generic[T]):
    """Named entries (panels, notification kinds) that higher apps register by key."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[str, T] = {}

    def register(self, key: str, entry: T) -> T:
        known = self._entries.get(key)
        if known is not None and known != entry:
            raise ValueError(f"{self.name}: {key!r} is registered twice")
        self._entries[key] = entry
        return entry

    def get(self, key: str) -> T:
        try:
            return self._entries[key]
        except KeyError:
            raise LookupError(f"{self.name}: nothing registered as {key!r}") from None

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[T]:
        return iter(self._entries.values())

    def items(self) -> list[tuple[str, T]]:
        return list(self._entries.items())

    def __repr__(self) -> str:
        return f"<Registry {self.name}: {sorted(self._entries)}>"
