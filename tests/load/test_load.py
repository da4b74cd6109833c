"""Load: signed-in users read section pages, approve posts and record manual posts at a fixed
concurrency against gunicorn (DEBUG off) on 127.0.0.1. No request may fail, and every approve
and every manual post sent must be in the database exactly once afterwards.

`make test` runs the short profile (about ten seconds); `make loadtest` runs the long one and
prints p50 / p99 and requests per second. Timing never fails the test; errors and lost or
doubled writes do. LOAD_SECONDS, LOAD_CONCURRENCY, LOAD_MAX_REQUESTS, LOAD_ITEMS,
LOAD_WEB_WORKERS and LOAD_WEB_THREADS override the profile.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from datetime import timedelta
from urllib.parse import quote

import pytest
import requests
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.utils import timezone

from aicmo_site.sections import SECTIONS
from campaigns.models import (
    Creative,
    CreativeStatus,
    PostingMode,
    Publication,
    PublicationStatus,
    Review,
    ReviewDecision,
)
from campaigns.tests.factories import BrandFactory, CampaignFactory
from tests.load.loadgen import GunicornServer, LoadRun, Profile, WorkQueue
from tests.load.loadgen import User as LoadUser

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="gunicorn's processes need a database server to share"),
]

ROLES = ("approver", "operator", "viewer")
GROUPS = {"approver": "Approver", "operator": "Operator", "viewer": "Viewer"}


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return (f"postgres://{quote(db['USER'] or 'postgres', safe='')}{password}@"
            f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}")


def _signed_in(username: str, role: str) -> LoadUser:
    user = User.objects.create_user(username, first_name=username.title())
    user.groups.add(Group.objects.get(name=GROUPS[role]))
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return LoadUser(role=role, session_key=session.session_key)


def _creatives(campaign, *, count: int, status: str, platforms: tuple[str, ...]) -> list[Creative]:
    start = timezone.now() + timedelta(days=1)
    return Creative.objects.bulk_create(
        Creative(campaign=campaign, platform=platforms[n % len(platforms)], status=status,
                 scheduled_at=start + timedelta(hours=n), pillar="Craft", version=1,
                 caption=f"Load post {n}: how we roast, step {n}.", hashtags=["coffee"],
                 link="https://northwind.example/roasting")
        for n in range(count)
    )


def test_load_serves_every_request_and_loses_no_write(tmp_path, capsys):
    profile = Profile.from_env(os.environ.get("LOAD_PROFILE", "short"))
    brand = BrandFactory(name="Northwind Roasters", slug="northwind-roasters")
    review_campaign = CampaignFactory(brand=brand, name="To review", slug="to-review",
                                      platforms=["linkedin"])
    posting_campaign = CampaignFactory(brand=brand, name="To post", slug="to-post",
                                       platforms=["linkedin", "x"],
                                       posting_mode=PostingMode.MANUAL)
    to_approve = _creatives(review_campaign, count=profile.items, status=CreativeStatus.PENDING,
                            platforms=("linkedin",))
    to_post = _creatives(posting_campaign, count=profile.items, status=CreativeStatus.APPROVED,
                         platforms=("linkedin", "x"))
    users = [_signed_in(f"load{n}", ROLES[n % len(ROLES)]) for n in range(profile.concurrency)]
    sections = [section.path for section in SECTIONS]
    reads = [*sections, "/", "/campaigns/queue/", f"/campaigns/{review_campaign.pk}/",
             f"/execution/?campaign={posting_campaign.pk}",
             f"/execution/campaign/{posting_campaign.pk}/checklist/",
             f"/delivery/export/creatives.csv?campaign={posting_campaign.pk}"]
    pages = {"approver": reads, "operator": reads, "viewer": reads}

    with GunicornServer(env={"DATABASE_URL": _database_url()}, log_path=tmp_path / "gunicorn.log",
                        workers=profile.web_workers, threads=profile.web_threads) as server:
        missing = requests.get(f"{server.url}/no-such-page/", timeout=10,
                               cookies={settings.SESSION_COOKIE_NAME: users[0].session_key})
        assert missing.status_code == 404
        assert "Django tried these URL patterns" not in missing.text  # DEBUG is off
        result = LoadRun(
            base_url=server.url, users=users, pages=pages, profile=profile,
            session_cookie=settings.SESSION_COOKIE_NAME,
            approvals=WorkQueue([(c.pk, "1") for c in to_approve]),
            posts=WorkQueue([(c.pk, c.platform) for c in to_post]),
        ).run()
    name = os.environ.get("LOAD_PROFILE", "short")
    report = (f"\nLoad ({name}: {profile.concurrency} users, gunicorn "
              f"{profile.web_workers or 'auto'} workers × {profile.web_threads} threads)\n"
              f"{result.summary()}")
    with capsys.disabled():
        print(report)  # noqa: T201 - the figures are the point of `make loadtest`

    assert result.errors == [], "\n".join(result.errors[:20])
    assert server.problems() == [], "\n".join(server.problems()[:40])
    sent: dict[str, dict[int, set[str]]] = {"approve": defaultdict(set), "post": defaultdict(set)}
    for write in result.writes:
        sent[write.kind][write.creative_pk].add(write.value)
    doubled = _sent_twice(result.writes)
    assert sent["approve"] and sent["post"], "the run sent no write of one kind"
    assert doubled, "no post was submitted twice: the double-submit path went untested"

    # Every approve sent is recorded exactly once; nothing else was decided.
    reviews = list(Review.objects.filter(creative__campaign=review_campaign))
    recorded = Counter(r.creative_id for r in reviews)
    assert set(sent["approve"]) - set(recorded) == set(), "approves sent but not recorded"
    assert set(recorded) - set(sent["approve"]) == set(), "reviews nobody sent"
    assert {pk for pk, n in recorded.items() if n > 1} == set(), "approves recorded twice"
    assert {(r.decision, r.version) for r in reviews} <= {(ReviewDecision.APPROVED, 1)}
    statuses = dict(Creative.objects.filter(campaign=review_campaign)
                    .values_list("pk", "status"))
    assert {pk for pk, status in statuses.items() if status == CreativeStatus.APPROVED} == set(
        sent["approve"])
    # Every manual post sent is recorded exactly once, with one of the links sent for it.
    publications = list(Publication.objects.filter(creative__campaign=posting_campaign))
    recorded = Counter(p.creative_id for p in publications)
    assert set(sent["post"]) - set(recorded) == set(), "manual posts sent but not recorded"
    assert set(recorded) - set(sent["post"]) == set(), "publications nobody sent"
    assert {pk for pk, n in recorded.items() if n > 1} == set(), "posts recorded twice"
    for publication in publications:
        assert publication.status == PublicationStatus.PUBLISHED
        assert publication.mode == PostingMode.MANUAL
        assert publication.url in sent["post"][publication.creative_id]


def _sent_twice(writes) -> set[tuple[str, int]]:
    """(kind, creative) pairs that were sent more than once."""
    seen: set[tuple[str, int]] = set()
    doubled: set[tuple[str, int]] = set()
    for write in writes:
        key = (write.kind, write.creative_pk)
        (doubled if key in seen else seen).add(key)
    return doubled
