"""What other apps may hear of from forums, without forums importing them.

Mentoring stands above forums (forums imports no mentoring), yet a mentor
should hear when their mentee asks a question in the cohort's forums. So
mentoring registers a listener here in its ``AppConfig.ready()``, and
``thread_create`` calls every listener with the new thread, inside its
transaction (listeners notify through ``cpd.notifications``, after commit).
"""

from __future__ import annotations

from collections.abc import Callable

from forums.models import Thread

ThreadListener = Callable[[Thread], None]

_thread_opened: list[ThreadListener] = []


def thread_opened_register(listener: ThreadListener) -> None:
    """Call ``listener(thread)`` for each new thread (registering twice is one)."""
    if listener not in _thread_opened:
        _thread_opened.append(listener)


def thread_opened(thread: Thread) -> None:
    for listener in _thread_opened:
        listener(thread)
