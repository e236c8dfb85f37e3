"""Kinds of notification, registered by the apps that send them.

``cpd`` cannot import the apps, so each app registers its kinds in its
``AppConfig.ready()`` with a label and a default mode per channel; a person's
own ``Preference`` overrides the default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cpd.notifications.models import Channel, Mode


@dataclass(frozen=True)
class Kind:
    name: str
    label: Any
    defaults: dict[str, str] = field(default_factory=dict)

    def default(self, channel: str) -> str:
        return self.defaults.get(channel, Mode.OFF)


_kinds: dict[str, Kind] = {}


def kind_register(
    name: str,
    label: Any,
    *,
    email: str = Mode.DIGEST,
    sms: str = Mode.OFF,
    push: str = Mode.IMMEDIATE,
) -> Kind:
    """Register (or replace) a kind with its defaults per channel."""
    kind = Kind(
        name, label, {Channel.EMAIL: email, Channel.SMS: sms, Channel.PUSH: push}
    )
    _kinds[name] = kind
    return kind


def kind_get(name: str) -> Kind:
    if name not in _kinds:
        raise KeyError(f"unregistered notification kind {name!r}")
    return _kinds[name]


def kinds() -> list[Kind]:
    return [_kinds[name] for name in sorted(_kinds)]
