"""Social interaction on the cohort report: who replies to whom, and how fast.

Forums owns threads and posts, so it computes this part of the cohort report
and shows it through the ``cohort-report`` panel slot (``cpd`` imports no app).
Three queries whatever the cohort's size, each aggregated in the database:

- the cohort's learners and mentors;
- reply links: (replier, thread starter) pairs with their count, one GROUP BY
  (posts record no parent post, so a reply answers the thread's starter);
- per question (a thread a learner started in the window), the time of its first
  reply by a mentor and by a peer (another learner): one MIN per thread.

Medians are taken over the per-thread rows, never over the posts.

Who sees what (``forums.policies.can_view_social_report`` and
``can_view_social_names``, which reuse the cohort report's): administrators see
the drawn network with names; mentors only the aggregates (people, links,
density, share of learners connected, reply times).
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, Min, Q
from django.db.models.aggregates import Count
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from cpd.models import Cohort, Membership, Role
from cpd.reports import WEEKS
from forums import policies
from forums.models import Post, Thread

# The drawing shows at most this many people (the most connected).
MAX_NODES = 40
# Lines drawn at most (the heaviest), whatever the links among the drawn.
MAX_LINES = 200
# Reply links listed by name in the table beside the drawing.
TOP_PAIRS = 10
# Fewer questions with a reply than this: "not enough data".
MIN_REPLY_TIMES = 2
# The drawing's geometry (viewBox units).
SIZE = 300
_CENTRE = SIZE / 2
_RING = SIZE / 2 - 24


@dataclass
class Person:
    user_id: int
    name: str
    mentor: bool
    degree: int = 0  # people linked with, either way
    replies: int = 0  # replies written and received
    number: int = 0  # key in the drawing (1..MAX_NODES), 0 if not drawn
    x: float = 0.0
    y: float = 0.0
    r: float = 0.0
    # a mentor is drawn as a square of about the same area as the circle
    side: float = 0.0
    sx: float = 0.0
    sy: float = 0.0


@dataclass
class Link:
    source: Person  # who replied
    target: Person  # whose thread
    replies: int


@dataclass
class ReplyTime:
    """Median time from a question to its first reply of one kind."""

    n: int
    median_seconds: float | None

    @property
    def enough_data(self) -> bool:
        return self.n >= MIN_REPLY_TIMES

    @property
    def median_hours(self) -> float | None:
        if self.median_seconds is None:
            return None
        return round(self.median_seconds / 3600, 1)


@dataclass
class SocialReport:
    cohort: Cohort
    people: int  # learners and mentors of the cohort
    learners: int
    connected: int  # people with at least one reply link
    learners_connected: int
    links: int  # distinct directed pairs (A replied to B)
    replies: int  # replies over all links
    questions: int  # threads learners started in the window
    mentor_reply: ReplyTime
    peer_reply: ReplyTime
    density: float | None = None  # links / possible directed pairs
    learners_connected_share: float | None = None
    # The names: filled for administrators only.
    top_pairs: list[Link] = field(default_factory=list)
    drawn: list[Person] = field(default_factory=list)
    drawn_links: list[Link] = field(default_factory=list)
    capped: bool = False
    lines_capped: bool = False

    @property
    def enough_data(self) -> bool:
        return self.links > 0


def _reply_time(values: list[float]) -> ReplyTime:
    return ReplyTime(
        n=len(values),
        median_seconds=(
            float(statistics.median(values)) if len(values) >= MIN_REPLY_TIMES else None
        ),
    )


def social_report(
    cohort: Cohort,
    *,
    with_names: bool,
    weeks: int = WEEKS,
    now: dt.datetime | None = None,
) -> SocialReport:
    """The cohort's reply network and reply times over ``weeks`` (three queries).

    ``with_names`` fills the named parts (pairs, drawing); the caller decides it
    by policy (``can_view_learner_rows``).
    """
    now = now or timezone.now()
    since = now - dt.timedelta(weeks=weeks)
    members = Membership.objects.filter(
        cohort=cohort, role__in=(Role.LEARNER, Role.MENTOR)
    )
    learner_ids = members.filter(role=Role.LEARNER).values("user_id")
    mentor_ids = members.filter(role=Role.MENTOR).values("user_id")
    people = {
        uid: Person(uid, name, role == Role.MENTOR)
        for uid, name, role in members.order_by("user_id").values_list(
            "user_id", "user__display_name", "role"
        )
    }
    pairs = (
        Post.objects.filter(
            thread__forum__cohort=cohort,
            thread__deleted_at__isnull=True,
            deleted_at__isnull=True,
            created_at__gte=since,
            author_id__in=members.values("user_id"),
            thread__author_id__in=members.values("user_id"),
        )
        .exclude(author_id=F("thread__author_id"))
        .values("author_id", "thread__author_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("author_id", "thread__author_id", "n")
    )
    # Plain tuples: a big cohort has tens of thousands of pairs, and only the
    # drawn and listed ones become Link objects.
    links: list[tuple[int, int, int]] = []
    neighbours: dict[int, set[int]] = defaultdict(set)
    replies: dict[int, int] = defaultdict(int)
    for source, target, n in pairs:
        if source not in people or target not in people:
            continue  # a membership changed between the two queries
        links.append((source, target, n))
        neighbours[source].add(target)
        neighbours[target].add(source)
        replies[source] += n
        replies[target] += n
    for uid, linked in neighbours.items():
        people[uid].degree = len(linked)
        people[uid].replies = replies[uid]

    live = Q(posts__deleted_at__isnull=True, posts__created_at__gte=F("created_at"))
    firsts = (
        Thread.objects.filter(
            forum__cohort=cohort,
            deleted_at__isnull=True,
            created_at__gte=since,
            author_id__in=learner_ids,
        )
        .annotate(
            first_mentor=Min(
                "posts__created_at", filter=live & Q(posts__author_id__in=mentor_ids)
            ),
            first_peer=Min(
                "posts__created_at",
                filter=live
                & Q(posts__author_id__in=learner_ids)
                & ~Q(posts__author_id=F("author_id")),
            ),
        )
        .order_by()
        .values_list("created_at", "first_mentor", "first_peer")
    )
    questions = 0
    mentor_waits: list[float] = []
    peer_waits: list[float] = []
    for opened, first_mentor, first_peer in firsts:
        questions += 1
        if first_mentor is not None:
            mentor_waits.append((first_mentor - opened).total_seconds())
        if first_peer is not None:
            peer_waits.append((first_peer - opened).total_seconds())

    learners = sum(1 for p in people.values() if not p.mentor)
    connected = [p for p in people.values() if p.degree]
    learners_connected = sum(1 for p in connected if not p.mentor)
    report = SocialReport(
        cohort=cohort,
        people=len(people),
        learners=learners,
        connected=len(connected),
        learners_connected=learners_connected,
        links=len(links),
        replies=sum(n for _s, _t, n in links),
        questions=questions,
        mentor_reply=_reply_time(mentor_waits),
        peer_reply=_reply_time(peer_waits),
    )
    if len(people) >= 2:
        report.density = round(len(links) / (len(people) * (len(people) - 1)), 3)
    if learners:
        report.learners_connected_share = round(100 * learners_connected / learners, 1)
    if with_names:
        _draw(report, people, connected, links)
    return report


def _draw(
    report: SocialReport,
    people: dict[int, Person],
    connected: list[Person],
    links: list[tuple[int, int, int]],
) -> None:
    """Lay the most connected people on a circle, biggest first, for the SVG."""
    ranked = sorted(connected, key=lambda p: (-p.degree, -p.replies, p.name))
    drawn = ranked[:MAX_NODES]
    report.capped = len(ranked) > MAX_NODES
    biggest = max((p.degree for p in drawn), default=1)
    # Neighbours on the ring must not overlap: the largest radius is under
    # half the spacing between them.
    spacing = 2 * math.pi * _RING / max(len(drawn), 1)
    largest = min(13.0, 0.45 * spacing)
    smallest = min(6.0, 0.6 * largest)
    for i, person in enumerate(drawn):
        angle = 2 * math.pi * i / len(drawn) - math.pi / 2
        person.number = i + 1
        person.x = round(_CENTRE + _RING * math.cos(angle), 1)
        person.y = round(_CENTRE + _RING * math.sin(angle), 1)
        person.r = round(
            smallest + (largest - smallest) * math.sqrt(person.degree / biggest), 1
        )
        person.side = round(1.8 * person.r, 1)
        person.sx = round(person.x - person.side / 2, 1)
        person.sy = round(person.y - person.side / 2, 1)
    shown = {p.user_id for p in drawn}
    report.drawn = drawn
    inner = [(s, t, n) for s, t, n in links if s in shown and t in shown]
    # The heaviest lines only: 40 people can have 1,560 links, too many bytes
    # for a phone and too dense to read.
    report.lines_capped = len(inner) > MAX_LINES
    report.drawn_links = [
        Link(people[s], people[t], n)
        for s, t, n in heapq.nlargest(MAX_LINES, inner, key=lambda r: r[2])
    ]
    top = [
        Link(people[s], people[t], n)
        for s, t, n in heapq.nlargest(TOP_PAIRS * 4, links, key=lambda r: r[2])
    ]
    report.top_pairs = sorted(
        top, key=lambda link: (-link.replies, link.source.name, link.target.name)
    )[:TOP_PAIRS]


def link_width(link: Link) -> float:
    """A line's stroke width: grows with the replies, slowly."""
    return round(min(1 + math.log2(link.replies), 5), 1)


def cohort_social_panel(request: HttpRequest, cohort: Cohort) -> str:
    """Cohort report: the reply network (names for admins) and reply times."""
    if not policies.can_view_social_report(request.user, cohort):
        return ""
    with_names = policies.can_view_social_names(request.user, cohort)
    report = social_report(cohort, with_names=with_names)
    lines = [
        {
            "x1": link.source.x,
            "y1": link.source.y,
            "x2": link.target.x,
            "y2": link.target.y,
            "w": link_width(link),
        }
        for link in report.drawn_links
    ]
    # No request: the layout's context processors would run a second time.
    return render_to_string(
        "forums/partials/cohort_social.html",
        {
            "social": report,
            "with_names": with_names,
            "lines": lines,
            "size": SIZE,
            "max_nodes": MAX_NODES,
            "max_lines": MAX_LINES,
            "weeks": WEEKS,
            "reply_rows": [
                (_("a mentor"), report.mentor_reply),
                (_("a peer (another learner)"), report.peer_reply),
            ],
        },
    )
