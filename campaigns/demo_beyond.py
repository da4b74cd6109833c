"""Demo leads that came in through the "Autumn blend launch" posts' UTM links, so the
attribution funnel has something to show (`seed_demo`; idempotent: get_or_create by email)."""

from __future__ import annotations

from collections.abc import Callable

# (first name, status) per lead; leads are spread over the campaign's published posts in turn.
DEMO_ATTRIBUTED = (
    ("Ada", "NEW"), ("Ben", "CONTACTED"), ("Cleo", "QUALIFIED"), ("Dev", "ROUTED"),
    ("Eli", "WON"), ("Fay", "LOST"), ("Gus", "REPLIED"), ("Hana", "QUALIFIED"),
    ("Ivo", "WON"), ("Jun", "NEW"), ("Kai", "CONTACTED"),
)


def seed_attribution(log: Callable[[str], None]) -> None:
    from campaigns.models import Campaign, PublicationStatus
    from leads.models import Lead

    campaign = Campaign.objects.filter(slug="northwind-autumn-blend-launch").first()
    if campaign is None:
        return
    posts = list(
        campaign.creatives.filter(publication__status=PublicationStatus.PUBLISHED).order_by("pk")
    )
    if not posts:
        return
    created = 0
    for index, (name, status) in enumerate(DEMO_ATTRIBUTED):
        post = posts[index % len(posts)]
        _, made = Lead.objects.get_or_create(
            email=f"{name.lower()}@autumn-demo.example",
            defaults=dict(
                name=f"{name} Demo", status=status, source="public_form",
                utm_source=post.platform, utm_campaign=campaign.slug, utm_content=str(post.pk),
                campaign=campaign, creative=post,
            ),
        )
        created += made
    if created:
        from leads.scoring import leads_rescore

        leads_rescore()
        log(f"Attribution: {created} leads from the posts of “{campaign.name}”.")
