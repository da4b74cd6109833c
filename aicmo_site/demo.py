"""Demo data for `manage.py seed_demo`: one user per role and something real in each section.

Every function is idempotent: running the seed twice changes nothing the second time.
Later sections add their own `seed_*` function to DEMO_STEPS.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

DEMO_USERS = (
    ("operator", "Olivia", "Operator", "Operator"),
    ("approver", "Arjun", "Approver", "Approver"),
    ("viewer", "Vera", "Viewer", "Viewer"),
)
LOGINS_FILE = settings.BASE_DIR / "var" / "demo-logins.txt"


def seed_users(log: Callable[[str], None]) -> list[tuple[str, str, str]]:
    """Creates the demo users; returns (username, role, password) for those created now."""
    created = []
    for username, first, last, role in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        password = secrets.token_urlsafe(9)
        user = User.objects.create_user(
            username=username, password=password, first_name=first, last_name=last,
            email=f"{username}@demo.aicmo.local",
        )
        user.groups.add(Group.objects.get(name=role))
        created.append((username, role, password))
    if not User.objects.filter(username="admin").exists():
        password = secrets.token_urlsafe(9)
        admin = User.objects.create_superuser("admin", "admin@demo.aicmo.local", password)
        admin.groups.add(Group.objects.get(name="Approver"))
        created.append(("admin", "Staff (Django admin)", password))
    return created


def seed_brands(log: Callable[[str], None]) -> None:
    from campaigns.models import Brand

    brands = [
        dict(name="Northwind Coffee", industry="Specialty coffee roaster",
             audience="Home baristas and independent cafés in the UK",
             voice="Warm, curious and precise; no hype.",
             default_hashtags=["specialtycoffee", "northwind"],
             website="https://northwind.example", color="#7c3f00",
             mastodon_instance="mastodon.social"),
        dict(name="Helio Solar", industry="Residential solar installer",
             audience="Homeowners weighing solar panels and batteries",
             voice="Plain-spoken and reassuring; numbers over adjectives.",
             default_hashtags=["solar", "cleanenergy"],
             website="https://helio.example", color="#e0a800"),
    ]
    for fields in brands:
        Brand.objects.get_or_create(name=fields["name"], defaults=fields)


def seed_leads(log: Callable[[str], None]) -> None:
    from leads.models import Lead

    people = [
        ("Dana Whitfield", "dana@brightcafe.example", "Bright Café", "Head of Purchasing", 40, "NEW"),
        ("Marcus Lee", "marcus@leeandco.example", "Lee & Co", "Owner", 8, "CONTACTED"),
        ("Priya Natarajan", "priya@greenroof.example", "Green Roof Homes", "Head of Operations", 120, "REPLIED"),
        ("Tom Okafor", "tom@okafor.example", "", "Homeowner", None, "NEW"),
        ("Sofia Marin", "sofia@harbourhotels.example", "Harbour Hotels", "Procurement Lead", 300, "QUALIFIED"),
    ]
    now = timezone.now()
    for index, (name, email, company, title, size, status) in enumerate(people):
        Lead.objects.get_or_create(
            email=email,
            defaults=dict(
                name=name, company=company, title=title, company_size=size, status=status,
                source="demo", consent=True, consent_at=now - timedelta(days=index),
            ),
        )


def _seed_campaigns(log: Callable[[str], None]) -> None:
    from campaigns.demo import seed_campaigns

    seed_campaigns(log)


def _seed_strategy(log: Callable[[str], None]) -> None:
    from campaigns.demo_strategy import seed_strategy

    seed_strategy(log)


def _seed_execution(log: Callable[[str], None]) -> None:
    from campaigns.publishing.demo import seed_execution

    seed_execution(log)


def _seed_monitoring(log: Callable[[str], None]) -> None:
    from campaigns.demo_monitoring import seed_monitoring

    seed_monitoring(log)


def _seed_kaizen(log: Callable[[str], None]) -> None:
    from kaizen.demo import seed_kaizen

    seed_kaizen(log)


def seed_lead_scoring(log: Callable[[str], None]) -> None:
    from leads.demo import seed_lead_scoring as seed

    seed(log)


def _seed_attribution(log: Callable[[str], None]) -> None:
    from campaigns.demo_beyond import seed_attribution

    seed_attribution(log)


DEMO_STEPS: list[Callable[[Callable[[str], None]], object]] = [
    seed_brands,
    seed_leads,
    _seed_campaigns,
    _seed_strategy,
    _seed_execution,
    _seed_monitoring,
    _seed_kaizen,
    seed_lead_scoring,
    _seed_attribution,
]


def is_seeded() -> bool:
    return User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).exists()


@transaction.atomic
def seed(log: Callable[[str], None]) -> list[tuple[str, str, str]]:
    created = seed_users(log)
    for step in DEMO_STEPS:
        step(log)
    return created


def remember_logins(created: list[tuple[str, str, str]]) -> None:
    """Keeps the generated passwords beside the embedded database, for `make run` to show."""
    if not created:
        return
    LOGINS_FILE.parent.mkdir(parents=True, exist_ok=True)
    with LOGINS_FILE.open("a", encoding="utf-8") as handle:
        for username, role, password in created:
            handle.write(f"{username:10} {password:16} {role}\n")
    LOGINS_FILE.chmod(0o600)
