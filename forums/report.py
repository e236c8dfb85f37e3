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
import math
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Exists, F, Min, OuterRef, Q
from django.db.models.aggregates import Count
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from cpd.models import Cohort, Membership, Role
from cpd.report_cache import report_cached
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
    pairs = (
        _reply_posts(cohort, members, since)
        .values("author_id", "thread__author_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("author_id", "thread__author_id", "n")
    )
    network = _network(
        members.order_by().values_list("user_id", "role", "user__display_name"),
        pairs,
        with_names=with_names,
    )
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

    report = SocialReport(
        cohort=cohort,
        people=network.people,
        learners=network.learners,
        connected=network.connected,
        learners_connected=network.learners_connected,
        links=network.links,
        replies=network.replies,
        questions=questions,
        mentor_reply=_reply_time(mentor_waits),
        peer_reply=_reply_time(peer_waits),
    )
    if network.people >= 2:
        report.density = round(
            network.links / (network.people * (network.people - 1)), 3
        )
    if network.learners:
        report.learners_connected_share = round(
            100 * network.learners_connected / network.learners, 1
        )
    if with_names:
        report.capped = network.connected > MAX_NODES
        report.lines_capped = network.inner_links > MAX_LINES
        _draw(report, network.drawn)
        report.drawn_links = network.drawn_links
        report.top_pairs = network.top_pairs
    return report


@dataclass
class _Network:
    people: int = 0
    learners: int = 0
    links: int = 0
    replies: int = 0
    connected: int = 0
    learners_connected: int = 0
    inner_links: int = 0  # links between two drawn people
    drawn: list[Person] = field(default_factory=list)
    drawn_links: list[Link] = field(default_factory=list)
    top_pairs: list[Link] = field(default_factory=list)


# The network in one statement. The reply pairs are grouped once (a CTE used
# several times, which PostgreSQL materialises). A person's degree (people
# linked with, either way) is their pairs at either end, less those linked
# both ways (counted twice): one small GROUP BY per person, not one per
# neighbour. ROW_NUMBER ranks the most connected, the heaviest lines among them and
# the heaviest pairs. Only those rows come back: the summary, at most
# MAX_NODES people, MAX_LINES lines and TOP_PAIRS pairs, however many people
# replied. Columns: kind, six integers, four texts.
_NETWORK_SQL = """
WITH members(uid, role, name) AS ({members}),
pairs(source, target, n) AS ({pairs}),
degrees(uid, degree, replies) AS (
    SELECT ends.uid, COUNT(*) - COALESCE(MAX(both_ways.k), 0), SUM(ends.n)
    FROM (
        SELECT source AS uid, n FROM pairs UNION ALL SELECT target, n FROM pairs
    ) ends
    LEFT JOIN (
        SELECT p.source AS uid, COUNT(*) AS k
        FROM pairs p JOIN pairs q ON q.source = p.target AND q.target = p.source
        GROUP BY p.source
    ) both_ways ON both_ways.uid = ends.uid
    GROUP BY ends.uid
){named}
SELECT 'S', (SELECT COUNT(*) FROM members),
    (SELECT COUNT(*) FROM members WHERE role = %s),
    (SELECT COUNT(*) FROM pairs), (SELECT COALESCE(SUM(n), 0) FROM pairs),
    (SELECT COUNT(*) FROM degrees),
    (SELECT COUNT(*) FROM degrees d JOIN members m ON m.uid = d.uid
     WHERE m.role = %s),
    NULL, NULL, NULL, NULL
{named_rows}"""
_NAMED_SQL = """,
drawn(uid, degree, replies, name, role, rk) AS (
    SELECT d.uid, d.degree, d.replies, m.name, m.role,
        ROW_NUMBER() OVER (ORDER BY d.degree DESC, d.replies DESC, m.name, d.uid)
    FROM degrees d JOIN members m ON m.uid = d.uid
    ORDER BY d.degree DESC, d.replies DESC, m.name, d.uid LIMIT %s
),
lines(source, target, n, rk, total) AS (
    SELECT p.source, p.target, p.n,
        ROW_NUMBER() OVER (ORDER BY p.n DESC, p.source, p.target),
        COUNT(*) OVER ()
    FROM pairs p
    WHERE p.source IN (SELECT uid FROM drawn) AND p.target IN (SELECT uid FROM drawn)
    ORDER BY p.n DESC, p.source, p.target LIMIT %s
),
top(source, target, n, rk) AS (
    SELECT source, target, n, ROW_NUMBER() OVER (ORDER BY n DESC, source, target)
    FROM pairs ORDER BY n DESC, source, target LIMIT %s
)
"""
# LIMIT, not a filter on the rank: the planner then knows how few rows follow
# (it cannot tell that a member's id is unique in a CTE, and with thousands of
# estimated rows a join's cost would make PostgreSQL compile the query (JIT),
# seconds of work for 65 rows).
_NAMED_ROWS = """
UNION ALL SELECT 'D', uid, degree, replies, rk, 0, 0, name, role, NULL, NULL FROM drawn
UNION ALL SELECT 'L', source, target, n, rk, total, 0, NULL, NULL, NULL, NULL FROM lines
UNION ALL SELECT 'T', p.source, p.target, p.n, p.rk, 0, 0,
    s.name, t.name, s.role, t.role
FROM top p JOIN members s ON s.uid = p.source JOIN members t ON t.uid = p.target
"""


def _network(members: Any, pairs: Any, *, with_names: bool) -> _Network:
    """The reply network's figures, and with names its drawn part (one query).

    ``members`` yields (user id, role, name); ``pairs`` (replier, thread
    starter, replies), already grouped. Counted in the database: Python sees
    one row per drawn person, line and listed pair, never one per pair.
    """
    members_sql, members_params = members.query.sql_with_params()
    pairs_sql, pairs_params = pairs.query.sql_with_params()
    sql = _NETWORK_SQL.format(
        members=members_sql,
        pairs=pairs_sql,
        named=_NAMED_SQL if with_names else "",
        named_rows=_NAMED_ROWS if with_names else "",
    )
    # in the order of their placeholders in the text
    params: list[Any] = [*members_params, *pairs_params]
    if with_names:
        params += [MAX_NODES, MAX_LINES, TOP_PAIRS]
    params += [Role.LEARNER, Role.LEARNER]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    net = _Network()
    drawn: dict[int, tuple[int, Person]] = {}
    lines: list[tuple[int, int, int, int]] = []
    tops: list[tuple[int, Link]] = []
    for kind, *numbers, t1, t2, t3, t4 in rows:
        # PostgreSQL's SUM of integers is numeric: back to int
        i1, i2, i3, i4, i5, i6 = (int(x or 0) for x in numbers)
        if kind == "S":
            net.people, net.learners, net.links = i1, i2, i3
            net.replies, net.connected, net.learners_connected = i4, i5, i6
        elif kind == "D":
            person = Person(i1, t1, t2 == Role.MENTOR, degree=i2, replies=i3)
            drawn[i1] = (i4, person)
        elif kind == "L":
            lines.append((i4, i1, i2, i3))
            net.inner_links = i5
        else:
            source = Person(i1, t1, t3 == Role.MENTOR)
            target = Person(i2, t2, t4 == Role.MENTOR)
            tops.append((i4, Link(source, target, i3)))
    net.drawn = [person for _rank, person in sorted(drawn.values())]
    net.drawn_links = [
        Link(drawn[s][1], drawn[t][1], n) for _rank, s, t, n in sorted(lines)
    ]
    # Which of several equally heavy pairs make the list goes by id; they are
    # shown by replies, then names.
    net.top_pairs = sorted(
        (link for _rank, link in tops),
        key=lambda link: (-link.replies, link.source.name, link.target.name),
    )
    return net


def _draw(report: SocialReport, drawn: list[Person]) -> None:
    """Lay the most connected people on a circle, biggest first, for the SVG."""
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
    report.drawn = drawn


def _reply_posts(cohort: Cohort, members: Any, since: dt.datetime) -> Any:
    """Live replies in the cohort's forums, between two of its members, since."""
    return Post.objects.filter(
        thread__forum__cohort=cohort,
        thread__deleted_at__isnull=True,
        deleted_at__isnull=True,
        created_at__gte=since,
        author_id__in=members.values("user_id"),
        thread__author_id__in=members.values("user_id"),
    ).exclude(author_id=F("thread__author_id"))


def reply_links(cohort: Cohort, *, weeks: int = WEEKS) -> Any:
    """Every reply link (A replied in B's thread), heaviest first, lazily.

    For the CSV and the API, whose readers see names (``can_view_social_names``).
    Rows: ``source``/``target`` user ids and names, ``replies``, and whether
    each is a mentor. One GROUP BY, evaluated where it is read (a CSV streams
    it; the API pages it).
    """
    since = timezone.now() - dt.timedelta(weeks=weeks)
    members = Membership.objects.filter(
        cohort=cohort, role__in=(Role.LEARNER, Role.MENTOR)
    )
    mentors = members.filter(role=Role.MENTOR).values("user_id")
    return (
        _reply_posts(cohort, members, since)
        .values("author_id", "thread__author_id")
        .annotate(
            source_id=F("author_id"),
            target_id=F("thread__author_id"),
            source_name=F("author__display_name"),
            target_name=F("thread__author__display_name"),
            replies=Count("id"),
        )
        .annotate(
            source_mentor=Exists(mentors.filter(user_id=OuterRef("author_id"))),
            target_mentor=Exists(mentors.filter(user_id=OuterRef("thread__author_id"))),
        )
        .order_by("-replies", "author_id", "thread__author_id")
    )


def social_report_kept(cohort: Cohort, *, with_names: bool) -> SocialReport:
    """:func:`social_report` now, or as counted up to REPORT_CACHE_SECONDS ago.

    For the page and the API (``cpd.report_cache``: forgotten when the
    cohort's members change or one is erased).
    """
    return report_cached(
        cohort.pk,
        f"social:{int(with_names)}",
        lambda: social_report(cohort, with_names=with_names),
    )


def link_width(link: Link) -> float:
    """A line's stroke width: grows with the replies, slowly."""
    return round(min(1 + math.log2(link.replies), 5), 1)


def cohort_social_panel(request: HttpRequest, cohort: Cohort) -> str:
    """Cohort report: the reply network (names for admins) and reply times."""
    if not policies.can_view_social_report(request.user, cohort):
        return ""
    with_names = policies.can_view_social_names(request.user, cohort)
    report = social_report_kept(cohort, with_names=with_names)
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
