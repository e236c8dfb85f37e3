"""Every route, every role: the exact answer each one gets.

The routes come from the URL resolver (HTML and API) and from
``cpd.site.routing`` (WebSocket), so a route nobody classified fails here
with the answers it gave, ready to check and paste into the table.

Each route is filled with real ids of cohort A's objects (organisation 1), and
asked as seven people: anonymous, an outsider (signed in, no membership), a
learner and a mentor of cohort A, organisation 1's admin, organisation 2's
admin and a superuser. HTTP routes are asked with GET and with an empty POST;
each request runs in a savepoint that is rolled back, with the session cookie
and rate-limit counters of before, so no answer depends on another (a POST that
archives the cohort, or signs out, changes nothing for the next request).

The platform's rule, which the table spells out route by route: an object of
a cohort the person is not in answers **404** (so the outsider and the other
organisation's admin learn nothing, not even that it exists), and an object of
their own cohort that their role may not use answers **403**.

Notation, in the order of ``ROLES``:

- a status code, or ``login``: a 302 to the sign-in page;
- ``GET | POST`` for HTTP routes; ``open`` or the close code for sockets.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.conftest import World, make_world

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "outsider",
    "learner",
    "mentor_of_cohort",
    "org_admin",
    "other_org_admin",
    "superuser",
)

# fmt: off
# Columns, each side: anonymous, outsider, learner, mentor, org admin, other org's admin, superuser.
#                                           anon   out  lrnr  mntr admin other super |  anon   out  lrnr  mntr admin other super
#                                           ---------------- GET ------------------- | ------------- POST (empty) -------------
HTTP: dict[str, str] = {
    "healthz":                              "  200   200   200   200   200   200   200 |   200   200   200   200   200   200   200",
    "readyz":                               "  200   200   200   200   200   200   200 |   200   200   200   200   200   200   200",
    "home":                                 "  200   200   200   200   200   200   200 |   200   200   200   200   200   200   200",
    "cohort-switch":                        "  405   405   405   405   405   405   405 | login   302   302   302   302   302   302",
    "cohort-detail":                        "login   404   200   200   200   404   200 | login   404   403   403   400   404   400",
    "cohort-report":                        "login   404   403   200   200   404   200 | login   404   403   200   200   404   200",
    "cohort-report-csv":                    "login   404   403   200   200   404   200 | login   404   403   200   200   404   200",
    "cohort-statements":                    "login   404   403   403   200   404   200 | login   404   403   403   200   404   200",
    # An invitation belongs to the address it was sent to: any other account 403.
    "invitation-open":                      "  302   403   403   403   403   403   403 |   302   403   403   403   403   403   403",
    "organisation-audit":                   "login   404   403   403   200   404   200 | login   404   403   403   200   404   200",
    "profile":                              "login   200   200   200   200   200   200 | login   200   200   200   200   200   200",
    "image-file":                           "login   404   200   200   200   404   200 | login   404   200   200   200   404   200",
    "set-language":                         "  302   302   302   302   302   302   302 |   302   302   302   302   302   302   302",
    "admin-organisations":                  "login   403   403   403   200   200   200 | login   403   403   403   200   200   200",
    "admin-organisation":                   "login   404   404   404   200   404   200 | login   404   404   404   200   404   200",
    "admin-cohort-create":                  "login   404   404   404   200   404   200 | login   404   404   404   200   404   200",
    "admin-cohort-edit":                    "login   404   403   403   200   404   200 | login   404   403   403   400   404   400",
    "admin-cohort-archive":                 "  405   405   405   405   405   405   405 | login   404   403   403   302   404   302",
    "admin-cohort-unarchive":               "  405   405   405   405   405   405   405 | login   404   403   403   302   404   302",
    "admin-cohort-members":                 "login   404   403   403   200   404   200 | login   404   403   403   200   404   200",
    "admin-member-role":                    "  405   405   405   405   405   405   405 | login   404   403   403   302   404   302",
    "admin-member-remove":                  "login   404   403   403   200   404   200 | login   404   403   403   302   404   302",
    "admin-cohort-mentors":                 "login   404   403   403   200   404   200 | login   404   403   403   200   404   200",
    "cohort-invitations":                   "login   404   403   403   200   404   200 | login   404   403   403   400   404   400",
    "invitation-action":                    "  405   405   405   405   405   405   405 | login   404   403   403   302   404   302",
    "join-link-revoke":                     "  405   405   405   405   405   405   405 | login   404   403   403   302   404   302",
    "invitation-claim":                     "  302   302   302   302   302   302   302 |   302   302   302   302   302   302   302",
    "join-code":                            "  200   200   200   200   200   200   200 |   200   200   200   200   200   200   200",
    "join-open":                            "  200   200   200   200   200   200   200 |   200   302   302   302   302   302   302",
    "manifest":                             "  200   200   200   200   200   200   200 |   200   200   200   200   200   200   200",
    "service-worker":                       "  200   200   200   200   200   200   200 |   200   200   200   200   200   200   200",
    "offline":                              "  200   200   200   200   200   200   200 |   200   200   200   200   200   200   200",
    "outbox":                               "login   200   200   200   200   200   200 |   405   405   405   405   405   405   405",
    # Each person's own key: nobody can ask for another's.
    "outbox-key":                           "login   200   200   200   200   200   200 |   405   405   405   405   405   405   405",
    "learner-report":                       "login   404   200   200   200   404   200 | login   404   200   200   200   404   200",
    "learner-timeline-csv":                 "login   404   200   200   200   404   200 | login   404   200   200   200   404   200",
    "notifications":                        "login   200   200   200   200   200   200 | login   200   200   200   200   200   200",
    # Personal objects (a notification, an attempt, a certificate, an erasure
    # request, an export) answer 404 to everyone but their person.
    "notification-open":                    "login   404   302   404   404   404   404 | login   404   302   404   404   404   404",
    "notifications-read-all":               "login   405   405   405   405   405   405 | login   302   302   302   302   302   302",
    "notifications-preferences":            "login   200   200   200   200   200   200 | login   200   200   200   200   200   200",
    "notifications-cohort-defaults":        "login   404   403   403   200   404   200 | login   404   403   403   200   404   200",
    "notifications-delivery-log":           "login   404   403   403   200   404   200 | login   404   403   403   200   404   200",
    "notifications-unsubscribe":            "  404   404   404   404   404   404   404 |   404   404   404   404   404   404   404",
    "notifications-sms-report":             "  405   405   405   405   405   405   405 |   403   403   403   403   403   403   403",
    "notifications-sms-inbound":            "  405   405   405   405   405   405   405 |   403   403   403   403   403   403   403",
    "privacy":                              "login   200   200   200   200   200   200 | login   200   200   200   200   200   200",
    "privacy-notices":                      "login   302   302   302   302   302   302 | login   400   400   400   400   400   400",
    "privacy-notice-publish":               "login   404   403   403   200   404   200 | login   404   403   403   400   404   400",
    "privacy-export-request":               "login   405   405   405   405   405   405 | login   302   302   302   302   302   302",
    "privacy-export-download":              "login   404   404   404   404   404   404 | login   404   404   404   404   404   404",
    "privacy-erasure-request":              "login   405   405   405   405   405   405 | login   302   302   302   302   302   302",
    "privacy-erasure-cancel":               "login   405   405   405   405   405   405 | login   404   302   404   403   404   403",
    "privacy-erasure-queue":                "login   200   200   200   200   200   200 | login   200   200   200   200   200   200",
    "privacy-erasure-confirm":              "login   405   405   405   405   405   405 | login   404   403   404   302   404   302",
    # Only the organisation's own admins, not Django's superuser (cpd.privacy.selectors).
    "privacy-organisation":                 "login   405   405   405   405   405   405 | login   404   404   404   302   404   404",
    "enrolment-template":                   "  200   200   200   200   200   200   200 |   200   200   200   200   200   200   200",
    "enrolment-upload":                     "login   404   403   403   200   404   200 | login   404   403   403   400   404   400",
    # An enrolment file holds contact details: its existence is private, 404 even
    # to the cohort's learner and mentor (cpd.enrolment.selectors); pairing runs
    # and moderation reports likewise.
    "enrolment-detail":                     "login   404   404   404   200   404   200 | login   404   404   404   200   404   200",
    "enrolment-confirm":                    "  405   405   405   405   405   405   405 | login   404   404   404   302   404   302",
    "enrolment-cancel":                     "  405   405   405   405   405   405   405 | login   404   404   404   302   404   302",
    "enrolment-report-csv":                 "login   404   404   404   200   404   200 | login   404   404   404   200   404   200",
    "courses-home":                         "login   200   200   200   200   200   200 | login   200   200   200   200   200   200",
    "courses-course":                       "login   404   200   200   200   404   200 | login   404   200   200   200   404   200",
    "courses-report":                       "login   404   403   200   200   404   200 | login   404   403   200   200   404   200",
    "courses-report-csv":                   "login   404   403   200   200   404   200 | login   404   403   200   200   404   200",
    "courses-engagement-gain-csv":          "login   404   403   200   200   404   200 | login   404   403   200   200   404   200",
    # The learner has a certificate (the end reached): an empty answer is 400.
    "courses-survey":                       "login   404   200   403   403   404   403 | login   404   400   403   403   404   403",
    # A course's survey is course content, shared between organisations: its
    # authors (staff) manage it; those who see the course without authoring 403.
    "courses-survey-edit":                  "login   404   403   403   403   404   200 | login   404   403   403   403   404   400",
    "courses-lesson":                       "login   404   200   200   200   404   200 | login   404   200   200   200   404   200",
    "courses-lesson-complete":              "  405   405   405   405   405   405   405 | login   404   302   302   302   404   302",
    "courses-lesson-beat":                  "  405   405   405   405   405   405   405 | login   404   200   200   200   404   200",
    "courses-quiz":                         "login   404   200   200   200   404   200 | login   404   302   302   302   404   302",
    "courses-attempt":                      "login   404   200   404   404   404   404 | login   404   302   404   404   404   404",
    "courses-session":                      "login   404   200   200   200   404   200 | login   404   403   302   302   404   302",
    "courses-session-qr":                   "login   404   403   200   200   404   200 | login   404   403   200   200   404   200",
    "courses-session-here":                 "login   404   400   400   400   404   400 | login   404   400   400   400   404   400",
    "courses-session-checkin":              "login   200   200   200   200   200   200 | login   400   400   400   400   400   400",
    "courses-session-new":                  "login   404   403   200   200   404   200 | login   404   403   200   200   404   200",
    "courses-transcript":                   "login   200   200   200   200   200   200 | login   200   200   200   200   200   200",
    "courses-certificate":                  "login   404   200   404   404   404   404 | login   404   200   404   404   404   404",
    "courses-certificate-pdf":              "login   404   200   404   404   404   404 | login   404   200   404   404   404   404",
    "courses-verify":                       "  200   200   200   200   200   200   200 |   200   200   200   200   200   200   200",
    "courses-progress":                     "login   404   403   200   200   404   200 | login   404   403   200   200   404   200",
    "forums-home":                          "login   200   200   200   200   200   200 | login   200   200   200   200   200   200",
    "forums-search":                        "login   200   200   200   200   200   200 | login   200   200   200   200   200   200",
    "forums-moderation":                    "login   403   403   200   200   200   200 | login   403   403   200   200   200   200",
    "forums-reply-network-csv":             "login   404   403   403   200   404   200 | login   404   403   403   200   404   200",
    "forums-report-resolve":                "  405   405   405   405   405   405   405 | login   404   404   302   302   404   302",
    "forums-forum":                         "login   404   200   200   200   404   200 | login   404   200   200   200   404   200",
    "forums-thread-new":                    "login   404   200   200   200   404   200 | login   404   200   200   200   404   200",
    "forums-thread":                        "login   404   200   200   200   404   200 | login   404   200   200   200   404   200",
    "forums-reply":                         "  405   405   405   405   405   405   405 | login   404   400   400   400   404   400",
    "forums-follow":                        "  405   405   405   405   405   405   405 | login   404   302   302   302   404   302",
    "forums-pin":                           "  405   405   405   405   405   405   405 | login   404   403   302   302   404   302",
    "forums-lock":                          "  405   405   405   405   405   405   405 | login   404   403   302   302   404   302",
    "forums-move":                          "login   404   403   200   200   404   200 | login   404   403   200   200   404   200",
    "forums-post-edit":                     "login   404   200   403   403   404   403 | login   404   200   403   403   404   403",
    "forums-post-delete":                   "  405   405   405   405   405   405   405 | login   404   302   302   302   404   302",
    "forums-helpful":                       "  405   405   405   405   405   405   405 | login   404   403   302   302   404   302",
    "forums-accept":                        "  405   405   405   405   405   405   405 | login   404   403   302   302   404   302",
    "forums-report":                        "login   404   403   200   200   404   200 | login   404   403   200   200   404   200",
    "forums-hide":                          "  405   405   405   405   405   405   405 | login   404   403   302   302   404   302",
    "rooms-home":                           "login   200   200   200   200   200   200 | login   200   200   200   200   200   200",
    "rooms-new":                            "login   404   403   200   200   404   200 | login   404   403   200   200   404   200",
    "rooms-room":                           "login   404   200   200   200   404   200 | login   404   200   200   200   404   200",
    "rooms-poll":                           "login   404   200   200   200   404   200 | login   404   200   200   200   404   200",
    "rooms-post":                           "  405   405   405   405   405   405   405 | login   404   400   400   400   404   400",
    "rooms-control":                        "  405   405   405   405   405   405   405 | login   404   403   302   302   404   302",
    "rooms-hide":                           "  405   405   405   405   405   405   405 | login   404   302   302   302   404   302",
    "mentoring-home":                       "login   200   200   200   200   200   200 | login   200   200   200   200   200   200",
    "mentoring-profile":                    "login   403   403   200   403   403   200 | login   403   403   200   403   403   200",
    "mentoring-dashboard":                  "login   404   403   200   403   404   403 | login   404   403   200   403   404   403",
    "mentoring-admin":                      "login   404   403   403   200   404   200 | login   404   403   403   400   404   400",
    "mentoring-pairing-confirm":            "  405   405   405   405   405   405   405 | login   404   403   403   400   404   400",
    "mentoring-pairing-run-start":          "  405   405   405   405   405   405   405 | login   404   403   403   302   404   302",
    "mentoring-pairing-run":                "login   404   404   404   200   404   200 | login   404   404   404   200   404   200",
    "mentoring-pairing-run-confirm":        "  405   405   405   405   405   405   405 | login   404   404   404   400   404   400",
    # A mentoring conversation is the pair's: the admin too gets 404.
    "mentoring-conversation":               "login   404   200   200   404   404   404 | login   404   400   400   404   404   404",
    "mentoring-checkin-create":             "  405   405   405   405   405   405   405 | login   404   403   400   404   404   404",
    "mentoring-checkin":                    "login   404   200   200   404   404   404 | login   404   403   302   404   404   404",
    "mentoring-message-report":             "login   404   403   200   404   404   404 | login   404   403   200   404   404   404",
    # allauth: signed-in people are sent on (302), not to sign-in.
    "account_login":                        "  200   302   302   302   302   302   302 |   200   302   302   302   302   302   302",
    "account_logout":                       "  302   200   200   200   200   200   200 |   302   302   302   302   302   302   302",
    "account_inactive":                     "  200   200   200   200   200   200   200 |   405   405   405   405   405   405   405",
    "account_signup":                       "  200   302   302   302   302   302   302 |   200   302   302   302   302   302   302",
    "account_reauthenticate":               "login   200   200   200   200   200   200 | login   200   200   200   200   200   200",
    "account_request_reauthentication_code":"login   302   302   302   302   302   302 | login   302   302   302   302   302   302",
    "account_confirm_reauthentication_code":"login   302   302   302   302   302   302 | login   302   302   302   302   302   302",
    "account_email":                        "login   200   200   200   200   200   200 | login   302   302   302   302   302   302",
    "account_email_verification_sent":      "  200   200   200   200   200   200   200 |   405   405   405   405   405   405   405",
    "account_change_password":              "login   200   200   200   200   200   200 | login   200   200   200   200   200   200",
    "account_set_password":                 "login   302   302   302   302   302   302 | login   302   302   302   302   302   302",
    "account_reset_password":               "  200   200   200   200   200   200   200 |   200   200   200   200   200   200   200",
    "account_confirm_login_code":           "login   302   302   302   302   302   302 | login   302   302   302   302   302   302",
    "account_confirm_email":                "  200   200   200   200   200   200   200 |   404   404   404   404   404   404   404",
    "account_verify_phone":                 "login   302   302   302   302   302   302 | login   302   302   302   302   302   302",
    "account_change_phone":                 "login   200   200   200   200   200   200 | login   200   200   200   200   200   200",
    "account_reset_password_from_key_done": "  200   200   200   200   200   200   200 |   405   405   405   405   405   405   405",
    "account_reset_password_from_key":      "  200   200   200   200   200   200   200 |   200   200   200   200   200   200   200",
    "account_reset_password_done":          "  200   200   200   200   200   200   200 |   405   405   405   405   405   405   405",
    "api-root":                             "  200   200   200   200   200   200   200 |   405   405   405   405   405   405   405",
    # The API: anonymous 403 (no sign-in redirect). A POST with an empty body is
    # validated before the service checks the role, so a refused role may see 400.
    "api-me":                               "  403   200   200   200   200   200   200 |   403   405   405   405   405   405   405",
    "api-token":                            "  405   405   405   405   405   405   405 |   400   400   400   400   400   400   400",
    "api-cohort-list":                      "  403   200   200   200   200   200   200 |   403   400   400   400   400   400   400",
    "api-cohort-report":                    "  403   404   403   200   200   404   200 |   403   405   405   405   405   405   405",
    "api-cohort-reply-links":               "  403   404   403   403   200   404   200 |   403   405   405   405   405   405   405",
    "api-cohort-detail":                    "  403   404   200   200   200   404   200 |   403   405   405   405   405   405   405",
    "api-cohort-members":                   "  403   404   200   200   200   404   200 |   403   405   405   405   405   405   405",
    "api-cohort-invitations":               "  403   404   403   403   200   404   200 |   403   404   403   403   400   404   400",
    "api-image-upload":                     "  403   405   405   405   405   405   405 |   403   400   400   400   400   400   400",
    "api-image-hide":                       "  403   405   405   405   405   405   405 |   403   404   400   400   400   404   400",
    "api-organisations":                    "  403   200   200   200   200   200   200 |   403   405   405   405   405   405   405",
    "api-organisation":                     "  403   404   404   404   200   404   200 |   403   405   405   405   405   405   405",
    "api-cohort-archive":                   "  403   405   405   405   405   405   405 |   403   404   403   403   200   404   200",
    "api-cohort-unarchive":                 "  403   405   405   405   405   405   405 |   403   404   403   403   200   404   200",
    "api-cohort-member":                    "  403   405   405   405   405   405   405 |   403   405   405   405   405   405   405",
    "api-cohort-mentors":                   "  403   404   403   403   200   404   200 |   403   405   405   405   405   405   405",
    "api-invitation-resend":                "  403   405   405   405   405   405   405 |   403   404   403   403   200   404   200",
    "api-invitation-revoke":                "  403   405   405   405   405   405   405 |   403   404   403   403   200   404   200",
    "api-invitation-expiry":                "  403   405   405   405   405   405   405 |   403   404   403   403   400   404   400",
    "api-join-links":                       "  403   404   403   403   200   404   200 |   403   404   403   403   400   404   400",
    "api-join-link-revoke":                 "  403   405   405   405   405   405   405 |   403   404   403   403   200   404   200",
    "api-join":                             "  403   405   405   405   405   405   405 |   403   400   400   400   400   400   400",
    "api-learner-report":                   "  403   404   200   200   200   404   200 |   403   405   405   405   405   405   405",
    "api-notifications":                    "  403   200   200   200   200   200   200 |   403   405   405   405   405   405   405",
    "api-notification-read":                "  403   405   405   405   405   405   405 |   403   404   200   404   404   404   404",
    "api-notifications-read-all":           "  403   405   405   405   405   405   405 |   403   200   200   200   200   200   200",
    "api-notification-preferences":         "  403   200   200   200   200   200   200 |   403   405   405   405   405   405   405",
    "api-push-subscription":                "  403   405   405   405   405   405   405 |   403   400   400   400   400   400   400",
    "api-notification-cohort-defaults":     "  403   404   403   403   200   404   200 |   403   405   405   405   405   405   405",
    "api-notification-deliveries":          "  403   404   403   403   200   404   200 |   403   405   405   405   405   405   405",
    "api-privacy-exports":                  "  403   200   200   200   200   200   200 |   403   202   202   202   202   202   202",
    "api-privacy-erasure":                  "  403   404   200   404   404   404   404 |   403   400   400   400   400   400   400",
    "api-privacy-erasure-queue":            "  403   200   200   200   200   200   200 |   403   405   405   405   405   405   405",
    "api-privacy-erasure-confirm":          "  403   405   405   405   405   405   405 |   403   404   403   404   200   404   200",
    "api-privacy-organisation":             "  403   404   404   404   200   404   404 |   403   405   405   405   405   405   405",
    # Was 200 with an empty page to the cohort's learner and mentor (fixed: 403).
    "api-enrolment-list":                   "  403   404   403   403   200   404   200 |   403   405   405   405   405   405   405",
    "api-enrolment-upload":                 "  403   405   405   405   405   405   405 |   403   404   403   403   400   404   400",
    "api-enrolment-detail":                 "  403   404   404   404   200   404   200 |   403   405   405   405   405   405   405",
    "api-enrolment-rows":                   "  403   404   404   404   200   404   200 |   403   405   405   405   405   405   405",
    "api-enrolment-confirm":                "  403   405   405   405   405   405   405 |   403   404   404   404   202   404   202",
    "api-enrolment-cancel":                 "  403   405   405   405   405   405   405 |   403   404   404   404   200   404   200",
    "api-course-list":                      "  403   200   200   200   200   200   200 |   403   405   405   405   405   405   405",
    "api-cohort-engagement-gain":           "  403   404   403   200   200   404   200 |   403   405   405   405   405   405   405",
    "api-course-detail":                    "  403   404   200   200   200   404   200 |   403   405   405   405   405   405   405",
    "api-course-report":                    "  403   404   403   200   200   404   200 |   403   405   405   405   405   405   405",
    "api-course-survey":                    "  403   404   200   403   403   404   403 |   403   404   400   403   403   404   403",
    "api-course-survey-manage":             "  403   404   403   403   403   404   200 |   403   404   403   403   403   404   200",
    "api-course-survey-items":              "  403   405   405   405   405   405   405 |   403   404   403   403   403   404   400",
    "api-course-survey-item":               "  403   405   405   405   405   405   405 |   403   405   405   405   405   405   405",
    "api-course-markdown":                  "  403   404   403   403   403   404   200 |   403   405   405   405   405   405   405",
    "api-course-import":                    "  403   405   405   405   405   405   405 |   403   400   400   400   400   400   400",
    "api-lesson-detail":                    "  403   404   200   200   200   404   200 |   403   405   405   405   405   405   405",
    "api-lesson-complete":                  "  403   405   405   405   405   405   405 |   403   404   200   200   200   404   200",
    "api-attempt-start":                    "  403   405   405   405   405   405   405 |   403   404   201   201   201   404   201",
    "api-attempt":                          "  403   404   200   404   404   404   404 |   403   405   405   405   405   405   405",
    "api-attempt-submit":                   "  403   405   405   405   405   405   405 |   403   404   400   404   404   404   404",
    "api-certificates":                     "  403   200   200   200   200   200   200 |   403   405   405   405   405   405   405",
    "api-cohort-progress":                  "  403   404   403   200   200   404   200 |   403   405   405   405   405   405   405",
    "api-session-list":                     "  403   200   200   200   200   200   200 |   403   400   400   400   400   400   400",
    "api-session-check-in":                 "  403   405   405   405   405   405   405 |   403   400   400   400   400   400   400",
    "api-session-check-in-code":            "  403   404   403   200   200   404   200 |   403   405   405   405   405   405   405",
    "api-session-detail":                   "  403   404   200   200   200   404   200 |   403   405   405   405   405   405   405",
    "api-session-attendance":               "  403   405   405   405   405   405   405 |   403   404   400   400   400   404   400",
    "api-forum-list":                       "  403   200   200   200   200   200   200 |   403   405   405   405   405   405   405",
    "api-cohort-social-report":             "  403   404   403   200   200   404   200 |   403   405   405   405   405   405   405",
    "api-forum-search":                     "  403   200   200   200   200   200   200 |   403   405   405   405   405   405   405",
    "api-forum-reports":                    "  403   403   403   200   200   200   200 |   403   405   405   405   405   405   405",
    "api-thread-list":                      "  403   404   200   200   200   404   200 |   403   404   400   400   400   404   400",
    "api-thread-detail":                    "  403   404   200   200   200   404   200 |   403   405   405   405   405   405   405",
    "api-post-list":                        "  403   404   200   200   200   404   200 |   403   404   400   400   400   404   400",
    "api-thread-follow":                    "  403   405   405   405   405   405   405 |   403   404   200   200   200   404   200",
    "api-thread-accept":                    "  403   405   405   405   405   405   405 |   403   404   400   400   400   404   400",
    "api-thread-pin":                       "  403   405   405   405   405   405   405 |   403   404   403   200   200   404   200",
    "api-thread-lock":                      "  403   405   405   405   405   405   405 |   403   404   403   200   200   404   200",
    "api-thread-move":                      "  403   405   405   405   405   405   405 |   403   404   400   400   400   404   400",
    "api-post-edit":                        "  403   405   405   405   405   405   405 |   403   405   405   405   405   405   405",
    "api-post-helpful":                     "  403   405   405   405   405   405   405 |   403   404   403   200   200   404   200",
    "api-post-report":                      "  403   405   405   405   405   405   405 |   403   404   400   400   400   404   400",
    "api-post-hide":                        "  403   405   405   405   405   405   405 |   403   404   403   200   200   404   200",
    "api-room-list":                        "  403   200   200   200   200   200   200 |   403   405   405   405   405   405   405",
    "api-room-detail":                      "  403   404   200   200   200   404   200 |   403   405   405   405   405   405   405",
    "api-room-messages":                    "  403   404   200   200   200   404   200 |   403   404   400   400   400   404   400",
    "api-mentor-profiles":                  "  403   200   200   200   200   200   200 |   403   405   405   405   405   405   405",
    "api-mentor-profile-me":                "  403   404   404   404   404   404   404 |   403   405   405   405   405   405   405",
    "api-pairings":                         "  403   404   200   200   200   404   200 |   403   405   405   405   405   405   405",
    "api-pairing-preview":                  "  403   405   405   405   405   405   405 |   403   404   403   403   400   404   400",
    "api-pairing-confirm":                  "  403   405   405   405   405   405   405 |   403   404   403   403   400   404   400",
    "api-pairing-run":                      "  403   404   404   404   200   404   200 |   403   405   405   405   405   405   405",
    "api-pairing-run-confirm":              "  403   405   405   405   405   405   405 |   403   404   404   404   400   404   400",
    "api-pairing-reassign":                 "  403   405   405   405   405   405   405 |   403   404   403   403   400   404   400",
    "api-mentor-load":                      "  403   404   403   403   200   404   200 |   403   405   405   405   405   405   405",
    "api-mentor-dashboard":                 "  403   404   403   200   403   404   403 |   403   405   405   405   405   405   405",
    "api-conversations":                    "  403   200   200   200   200   200   200 |   403   405   405   405   405   405   405",
    "api-conversation-messages":            "  403   404   200   200   404   404   404 |   403   404   400   400   404   404   404",
    "api-conversation-checkins":            "  403   404   200   200   404   404   404 |   403   404   400   400   404   404   404",
    "api-message-report":                   "  403   405   405   405   405   405   405 |   403   404   400   400   404   404   404",
    "api-checkin":                          "  403   404   200   200   404   404   404 |   403   405   405   405   405   405   405",
    "api-schema":                           "  200   200   200   200   200   200   200 |   405   405   405   405   405   405   405",
    "api-docs":                             "  200   200   200   200   200   200   200 |   405   405   405   405   405   405   405",
}

# The API's PUT, PATCH and DELETE, with an empty JSON body.
WRITES: dict[str, str] = {
    "api-checkin PATCH":                      "  403   404   403   200   404   404   404",
    "api-cohort-detail PATCH":                "  403   404   403   403   200   404   200",
    "api-course-survey-item DELETE":          "  403   404   403   403   403   404   204",
    "api-course-survey-item PATCH":           "  403   404   403   403   403   404   200",
    "api-course-survey-manage DELETE":        "  403   404   403   403   403   404   204",
    "api-course-survey-manage PATCH":         "  403   404   403   403   403   404   400",
    "api-cohort-member DELETE":               "  403   404   403   403   204   404   204",
    "api-cohort-member PATCH":                "  403   404   403   403   400   404   400",
    "api-me PATCH":                           "  403   200   200   200   200   200   200",
    "api-mentor-profile-me PUT":              "  403   403   403   400   403   403   400",
    "api-notification-cohort-defaults PUT":   "  403   404   403   403   400   404   400",
    "api-notification-preferences PUT":       "  403   400   400   400   400   400   400",
    "api-post-edit DELETE":                   "  403   404   204   204   204   404   204",
    "api-post-edit PATCH":                    "  403   404   400   400   400   404   400",
    "api-privacy-erasure DELETE":             "  403   404   204   404   404   404   404",
    "api-privacy-organisation PUT":           "  403   404   404   404   400   404   404",
    "api-push-subscription DELETE":           "  403   204   204   204   204   204   204",
}

# A body that passes validation, so that the answer is the role's: the API
# validates a request before its service checks who asks.
VALID: dict[str, str] = {
    "admin-member-role":                      "login   404   403   403   302   404   302",
    "api-cohort-invitations":                 "  403   404   403   403   201   404   201",
    "api-cohort-member":                      "  403   404   403   403   200   404   200",
    "api-course-survey-items":                "  403   404   403   403   403   404   201",
    "api-course-survey-manage":               "  403   404   403   403   403   404   200",
    "courses-survey-edit":                    "login   404   403   403   403   404   302",
    "api-conversation-checkins":              "  403   404   403   201   404   404   404",
    "api-conversation-messages":              "  403   404   201   201   404   404   404",
    "api-image-hide":                         "  403   404   403   200   200   404   200",
    "api-message-report":                     "  403   404   403   204   404   404   404",
    "api-pairing-reassign":                   "  403   404   403   403   200   404   200",
    "api-post-edit":                          "  403   404   200   403   403   404   403",
    "api-post-list":                          "  403   404   201   201   201   404   201",
    "api-post-report":                        "  403   404   403   201   201   404   201",
    "api-room-messages":                      "  403   404   201   201   201   404   201",
    "api-session-attendance":                 "  403   404   403   200   200   404   200",
    "api-thread-accept":                      "  403   404   403   200   200   404   200",
    "api-thread-list":                        "  403   404   201   201   201   404   201",
    "api-thread-move":                        "  403   404   403   200   200   404   200",
    "forums-move":                            "login   404   403   302   302   404   302",
    "forums-post-edit":                       "login   404   302   403   403   404   403",
    "forums-reply":                           "login   404   302   302   302   404   302",
    "forums-report":                          "login   404   403   302   302   404   302",
    "forums-thread-new":                      "login   404   302   302   302   404   302",
    "mentoring-checkin-create":               "login   404   403   302   404   404   404",
    "mentoring-conversation":                 "login   404   302   302   404   404   404",
    "mentoring-message-report":               "login   404   403   302   404   404   404",
    "rooms-hide":                             "login   404   403   302   302   404   302",
    "rooms-post":                             "login   404   302   302   302   404   302",
}

# Sockets: 4401 not signed in, 4404 not a member of the room's cohort.
SOCKETS: dict[str, str] = {
    "ws/notifications/":                    " 4401  open  open  open  open  open  open",
    "ws/rooms/<int:room_id>/":              " 4401  4404  open  open  open  4404  open",
}
# fmt: on

# Not requested: Django's own admin (superusers only, its own tests).
SKIPPED_PREFIXES = ("admin/",)


# --- The routes ---------------------------------------------------------------


def http_routes() -> list[tuple[str, str]]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield (
                    pattern.name or prefix + str(pattern.pattern),
                    prefix + str(pattern.pattern),
                )

    return [
        (name, route)
        for name, route in walk(get_resolver().url_patterns)
        if not route.startswith(SKIPPED_PREFIXES)
    ]


def write_methods() -> list[tuple[str, str, str]]:
    """(name, route, method) of each API route's PUT, PATCH and DELETE."""
    routes = dict(http_routes())
    found = []
    for name, route in routes.items():
        view = get_resolver().resolve("/" + _fill(name, route, None)[1:])
        cls = getattr(view.func, "cls", None)
        if cls is None or not name.startswith("api-"):
            continue
        found += [
            (name, route, m) for m in ("put", "patch", "delete") if hasattr(cls, m)
        ]
    return found


def socket_routes() -> list[tuple[str, str]]:
    from cpd.site.routing import websocket_urlpatterns

    return [(str(p.pattern), str(p.pattern)) for p in websocket_urlpatterns]


# --- One dataset for the module -----------------------------------------------


@dataclass
class Dataset:
    world: World
    ids: dict[str, int]
    strings: dict[str, str]
    clients: dict[str, Client]
    cookies: dict[str, Any]
    users: dict[str, Any]


def _sample(world: World) -> tuple[dict[str, int], dict[str, str], Any]:
    """Cohort A's objects of every kind the routes name, and a superuser."""
    from courses.models import Certificate, Session
    from courses.services import quizzes
    from cpd import services as cpd_services
    from cpd.enrolment.services import enrolment_check
    from cpd.invitations.services import join_link_create
    from cpd.models import Membership
    from cpd.notifications.models import Notification
    from cpd.privacy.services import erasure_request
    from forums.rooms import services as room_services
    from forums.services.forums import forum_for_cohort
    from forums.services.moderation import report_create
    from forums.services.posting import post_create, thread_create
    from mentoring.services.conversations import conversation_for_pairing
    from mentoring.services.pairing_runs import pairing_run_start
    from tests.factories.courses import QuizFactory, course_for, question_with
    from tests.factories.cpd import InvitationFactory, UserFactory
    from tests.factories.images import png
    from tests.factories.mentoring import CheckInFactory, MessageFactory, PairingFactory

    superuser = UserFactory(display_name="Root", is_staff=True, is_superuser=True)
    forum = forum_for_cohort(world.cohort)
    thread, _ = thread_create(
        actor=world.mentor_of_cohort, forum=forum, title="PPH", body="b"
    )
    post, _ = post_create(actor=world.learner, thread=thread, body="r")
    course = course_for(world.cohort)
    quiz = QuizFactory(course=course)
    question_with(quiz, "single", [("Oxytocin", True), ("Wait", False)])
    now = timezone.now()
    session = Session.objects.create(
        cohort=world.cohort,
        title="Drill",
        place="Ward 3",
        starts_at=now + dt.timedelta(minutes=30),
        ends_at=now + dt.timedelta(hours=2),
    )
    room = room_services.room_open_case(
        actor=world.mentor_of_cohort, cohort=world.cohort, title="PPH"
    )
    message = room_services.message_post(
        actor=world.learner, room=room, body="Bleeding stopped", client_key="k1"
    )
    pairing = PairingFactory(
        cohort=world.cohort, mentor=world.mentor_of_cohort, learner=world.learner
    )
    conversation = conversation_for_pairing(pairing=pairing)
    invitation = InvitationFactory(cohort=world.cohort)
    link = join_link_create(
        actor=world.org_admin,
        cohort=world.cohort,
        max_uses=5,
        expires_at=now + dt.timedelta(days=1),
    )
    image = cpd_services.image_upload(
        actor=world.learner,
        cohort=world.cohort,
        file=png(),
        no_identifiers_confirmed=True,
    )
    enrolment = enrolment_check(
        actor=world.org_admin,
        cohort=world.cohort,
        filename="list.csv",
        data=b"name,phone\nAmina,+254712345678\n",
    )
    certificate = Certificate.objects.create(user=world.learner, course=course, hours=2)
    from courses.services.survey import survey_attach_default

    survey = survey_attach_default(actor=superuser, course=course)
    ids = {
        "cohort_id": world.cohort.pk,
        "organisation_id": world.cohort.organisation_id,
        "forum_id": forum.pk,
        "thread_id": thread.pk,
        "post_id": post.pk,
        "course_id": course.pk,
        "lesson_id": course.modules.first().lessons.first().pk,
        "quiz_id": quiz.pk,
        "attempt_id": quizzes.attempt_start(user=world.learner, quiz=quiz).pk,
        "session_id": session.pk,
        "room_id": room.pk,
        "seq": message.seq,
        "invitation_id": invitation.pk,
        "link_id": link.pk,
        "membership_id": Membership.objects.get(
            cohort=world.cohort, user=world.learner
        ).pk,
        "user_id": world.learner.pk,
        "conversation_id": conversation.pk,
        "message_id": MessageFactory(
            conversation=conversation, author=world.learner
        ).pk,
        "checkin_id": CheckInFactory(conversation=conversation).pk,
        "report_id": report_create(
            actor=world.mentor_of_cohort, post=post, reason="Names a patient"
        ).pk,
        "request_id": erasure_request(actor=world.learner).pk,
        "run_id": pairing_run_start(
            actor=world.org_admin, cohort=world.cohort, mode="one_to_one"
        ).pk,
        "notification_id": Notification.objects.create(
            user=world.learner, kind="forums.reply", text="A reply", url="/"
        ).pk,
        "image_id": image.pk,
        "enrolment_id": enrolment.pk,
        "item_id": survey.items.first().pk,
    }
    strings = {
        "token": invitation.token,
        "code": certificate.code,
        "size": "small",
        "join-open:code": link.code,
        "invitation-action:action": "resend",
        "rooms-control:action": "close",
    }
    return ids, strings, superuser


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker):
    """Built once per module (and xdist worker) and rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = make_world()
        ids, strings, superuser = _sample(world)
        users = {role: world.user(role) for role in ROLES if role != "superuser"}
        users["superuser"] = superuser
        clients = {}
        for role, user in users.items():
            clients[role] = Client(raise_request_exception=False)
            if user.is_authenticated:
                clients[role].force_login(user)
        cookies = {role: client.cookies for role, client in clients.items()}
        yield Dataset(world, ids, strings, clients, cookies, users)
        transaction.set_rollback(True)


def _fill(name: str, route: str, data: Dataset | None) -> str:
    route = route.replace("^", "").replace("$", "")
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "x", route)

    def value(match: re.Match[str]) -> str:
        converter, param = match.group(1) or "str", match.group(2)
        if data is None:  # only resolving
            return "1" if converter == "int" else "x"
        if converter == "int":
            assert param in data.ids, f"no sample id for <int:{param}> ({name})"
            return str(data.ids[param])
        return data.strings.get(f"{name}:{param}", data.strings.get(param, "x"))

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


# --- Asking ---------------------------------------------------------------------


def _isolated(client: Client, cookies, method: str, url: str, body=None) -> str:
    """The answer to one request, leaving the database, cookies and counters as they were."""
    response = isolated_response(client, cookies, method, url, body)
    status = response.status_code
    if status == 302 and response["Location"].startswith(reverse("account_login")):
        return "login"
    return str(status)


def isolated_response(client: Client, cookies, method: str, url: str, body=None):
    """One request, rolled back, with the session cookie and counters of before."""
    client.cookies = cookies.__class__(cookies)
    prefix = f"test-{uuid.uuid4().hex}"
    for alias in caches:
        caches[alias].key_prefix = prefix
    with transaction.atomic():
        if method == "form":
            response = client.post(url, body)
        elif body is None and method in ("get", "post"):
            response = getattr(client, method)(url, {})
        else:
            response = getattr(client, method)(
                url, body or {}, content_type="application/json"
            )
        transaction.set_rollback(True)
    return response


def answers(name: str, route: str, method: str, data: Dataset, body=None) -> str:
    url = _fill(name, route, data)
    return " ".join(
        _isolated(data.clients[role], data.cookies[role], method, url, body)
        for role in ROLES
    )


def http_row(name: str, route: str, data: Dataset) -> str:
    return f"{answers(name, route, 'get', data)} | {answers(name, route, 'post', data)}"


def _session_cookie(user) -> bytes:
    from tests.realtime.conftest import session_cookie

    return session_cookie(user)


def socket_row(route: str, data: Dataset) -> str:
    from cpd.asgi import application

    path = _fill(route, route, data)

    async def connect(cookie: bytes | None) -> str:
        headers = [(b"origin", b"http://127.0.0.1:8000")]
        if cookie:
            headers.append((b"cookie", cookie))
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, code = await communicator.connect(timeout=30)  # under xdist
        await communicator.disconnect()
        return "open" if connected else str(code)

    answers = []
    for role in ROLES:
        user = data.users[role]
        cookie = _session_cookie(user) if user.is_authenticated else None
        answers.append(async_to_sync(connect)(cookie))
    return " ".join(answers)


_BODY_IDS = ("post_id", "forum_id", "user_id")


def bodies(ids: dict[str, int]) -> dict[str, tuple[str, dict[str, Any]]]:
    """The valid request of each route in ``VALID``: (method, JSON body).

    ``form`` is a POST of the page's form, form-encoded.
    """
    soon = (timezone.now() + dt.timedelta(days=2)).isoformat()
    return {
        "api-thread-list": (
            "post",
            {"title": "Sepsis", "body": "Which antibiotic?", "idempotency_key": "m1"},
        ),
        "api-post-list": ("post", {"body": "Ceftriaxone", "idempotency_key": "m2"}),
        "api-post-edit": ("patch", {"body": "Changed"}),
        "api-course-survey-items": ("post", {"text": "The drills were useful."}),
        "api-course-survey-manage": ("patch", {"is_open": False}),
        "courses-survey-edit": ("form", {"action": "close"}),
        "api-thread-accept": ("post", {"post": ids["post_id"]}),
        "api-thread-move": ("post", {"forum": ids["forum_id"], "reason": "Topic"}),
        "api-post-report": ("post", {"reason": "Names a patient"}),
        "api-image-hide": ("post", {"reason": "Shows a face"}),
        "api-room-messages": ("post", {"body": "Stable now", "client_key": "m3"}),
        "api-session-attendance": (
            "post",
            {"learner": ids["user_id"], "present": True},
        ),
        "api-cohort-invitations": (
            "post",
            {"role": "learner", "email": "new.nurse@example.org"},
        ),
        "api-cohort-member": ("patch", {"role": "mentor"}),
        "api-conversation-messages": ("post", {"body": "How was the shift?"}),
        "api-conversation-checkins": (
            "post",
            {"scheduled_for": soon, "mode": "call"},
        ),
        "api-message-report": ("post", {"reason": "Abusive"}),
        "api-pairing-reassign": (
            "post",
            {"learner": ids["user_id"], "mentor": None, "reason": "Leave"},
        ),
        # The pages' forms, form-encoded.
        "forums-thread-new": (
            "form",
            {"title": "Sepsis", "body": "Which antibiotic?", "idempotency_key": "m4"},
        ),
        "forums-reply": ("form", {"body": "Ceftriaxone", "idempotency_key": "m5"}),
        "forums-post-edit": ("form", {"body": "Changed"}),
        "forums-move": ("form", {"forum": ids["forum_id"], "reason": "Topic"}),
        "forums-report": ("form", {"reason": "Names a patient"}),
        "rooms-post": ("form", {"body": "Stable now", "client_key": "m6"}),
        "rooms-hide": ("form", {"reason": "Names a patient"}),
        "admin-member-role": ("form", {"role": "mentor"}),
        "mentoring-conversation": ("form", {"body": "How was the shift?"}),
        "mentoring-checkin-create": (
            "form",
            {"scheduled_for": soon[:16], "mode": "call"},
        ),
        "mentoring-message-report": ("form", {"reason": "Abusive"}),
    }


def _pretty(row: str) -> str:
    """A row as the table writes it: each answer right-aligned in five places."""
    return " ".join(c if c == "|" else f"{c:>5}" for c in row.split())


def _mismatch(table: str, name: str, expected: str | None, got: str) -> str:
    header = ", ".join(ROLES)
    if expected is None:
        return (
            f"{name!r} is not in {table}. It answered ({header}):\n"
            f'    "{name}": "{_pretty(got)}",\n'
            "Check each answer against the rule (another cohort's object 404, "
            "a role's own cohort 403), then add the line to the table."
        )
    return (
        f"{table}[{name!r}] ({header}):\n"
        f"    expected {_pretty(expected)}\n"
        f"    got      {_pretty(got)}"
    )


def _normal(row: str) -> str:
    return " ".join(row.split())


def _check(table: dict[str, str], table_name: str, name: str, got: str) -> None:
    if name not in table:
        pytest.fail(_mismatch(table_name, name, None, got), pytrace=False)
    assert _normal(table[name]) == got, _mismatch(table_name, name, table[name], got)


@pytest.mark.parametrize(("name", "route"), http_routes(), ids=lambda v: v)
def test_http_route(dataset, name, route):
    got = http_row(name, route, dataset)
    _check(HTTP, "HTTP", name, got)


@pytest.mark.parametrize(("name", "route", "method"), write_methods(), ids=lambda v: v)
def test_api_write_method(dataset, name, route, method):
    """PUT, PATCH and DELETE with an empty JSON body, where the API has them."""
    got = answers(name, route, method, dataset)
    _check(WRITES, "WRITES", f"{name} {method.upper()}", got)


@pytest.mark.parametrize("name", sorted(bodies(dict.fromkeys(_BODY_IDS, 1))))
def test_valid_write(dataset, name):
    """The same route with a valid body: refused roles are refused, not 400."""
    method, body = bodies(dataset.ids)[name]
    got = answers(name, dict(http_routes())[name], method, dataset, body)
    _check(VALID, "VALID", name, got)


@pytest.fixture
def sockets_on_this_thread(monkeypatch, settings):
    """Run consumers' database calls on this thread, inside this module's transaction.

    ``async_to_sync`` from the main thread runs thread-sensitive code here, on
    the test's own connection, so sockets see the dataset (which is never
    committed); channels' closing of "old" connections would close that
    connection mid-transaction.
    """
    from channels.db import database_sync_to_async
    from channels.layers import channel_layers

    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)
    # Room sockets use a thread pool on PostgreSQL: here, this thread.
    for module in ("presence", "case_room"):
        monkeypatch.setattr(
            f"forums.rooms.consumers.{module}.db", database_sync_to_async
        )
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    }
    channel_layers.backends = {}
    yield
    channel_layers.backends = {}


@pytest.mark.parametrize(("name", "route"), socket_routes(), ids=lambda v: v)
def test_socket_route(dataset, sockets_on_this_thread, name, route):
    got = socket_row(route, dataset)
    _check(SOCKETS, "SOCKETS", name, got)


def test_every_classification_names_a_route():
    names = {name for name, _ in http_routes()}
    sockets = {name for name, _ in socket_routes()}
    assert sorted(set(HTTP) - names) == []
    assert sorted(set(SOCKETS) - sockets) == []
    assert sorted(set(VALID) - set(bodies(dict.fromkeys(_BODY_IDS, 1)))) == []
    writes = {f"{name} {method.upper()}" for name, _, method in write_methods()}
    assert sorted(set(WRITES) - writes) == []
    assert len(names) > 200  # the resolver walk found the project's routes
