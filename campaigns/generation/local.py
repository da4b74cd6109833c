"""The offline engine: a plan and posts written from the brand, the objectives, the platform
rules and Kaizen's hints. Deterministic: the same campaign always gives the same posts, because
every choice is seeded from the campaign's own fields, never from the clock or randomness."""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass

from campaigns.generation.base import (
    GeneratedItem,
    GenerationError,
    GenerationResult,
    PlanData,
    Slot,
    validate_items,
)
from campaigns.generation.calendar import Hints, calendar_slots, hints_for, schedule_rationale
from campaigns.models import Campaign
from campaigns.publishing.platforms import PLATFORMS
from campaigns.validation import normalise_hashtags, post_problems

# How many hashtags each platform's posts carry (within its hard limit and its advice).
HASHTAGS_PER_POST = {
    "linkedin": 3, "instagram": 5, "x": 2, "facebook": 2, "threads": 1, "mastodon": 3,
    "bluesky": 2,
}
ROLE_WORDS = {
    "roaster", "roasters", "installer", "installers", "agency", "company", "studio", "shop",
    "brand", "provider", "consultancy", "maker", "makers", "producer", "retailer", "services",
    "service", "firm", "business", "store", "supplier", "manufacturer", "practice", "clinic",
}


@dataclass(frozen=True)
class Pillar:
    name: str
    hooks: tuple[str, ...]
    bodies: tuple[str, ...]
    ctas: tuple[str, ...]
    image: str


PILLARS: tuple[Pillar, ...] = (
    Pillar(
        name="Know-how",
        hooks=(
            "Most people overcomplicate {subject}. Here is the short version.",
            "A question we hear every week: where do you start with {subject}?",
            "One lesson on {subject}, in under a minute.",
        ),
        bodies=(
            "We work with {audience} every day, and the same small change makes the biggest "
            "difference: start with the basics, check the result, then adjust. {message}",
            "Skip the jargon. Pick one thing, do it well for a week and notice the difference. "
            "That is how {brand} approaches {subject} too.",
            "The best results come from a few habits done consistently, not from expensive "
            "extras. {message}",
        ),
        ctas=(
            "Save this for later and tell us what you would add.",
            "Want more practical tips? {objective_cta}",
            "Questions? Ask in the comments; we answer every one.",
        ),
        image="a close-up of hands at work on {subject}, one simple step clearly visible",
    ),
    Pillar(
        name="Proof",
        hooks=(
            "What changes when {subject} is done properly:",
            "\u201cWhy didn't we do this sooner?\u201d We hear it more than you would think.",
            "The detail our customers mention first is rarely the one we expected.",
        ),
        bodies=(
            "A customer came to us wanting less hassle and better results. We kept it simple, "
            "explained every step and let the work speak. {message}",
            "Every project at {brand} ends with the same check: would we recommend it to a "
            "friend? If not, we are not done.",
            "{audience_cap} tell us the difference is in the details: clear advice, honest "
            "timelines and follow-up when it matters.",
        ),
        ctas=(
            "See how we work. {objective_cta}",
            "Thinking about it too? {objective_cta}",
            "Tell us what matters most to you when you choose.",
        ),
        image="a real customer moment with {brand}, natural light, no staged smiles",
    ),
    Pillar(
        name="Behind the scenes",
        hooks=(
            "A look behind the scenes at {brand}.",
            "Meet the people who make {brand} work.",
            "This is what a normal day looks like here.",
        ),
        bodies=(
            "Most of what we do happens before anyone sees it: the checking, the testing, the "
            "small corrections. {message}",
            "We specialise in {subject}, and we still learn something new every week.",
            "Our process is simple on purpose: listen first, plan carefully, then do the work "
            "properly.",
        ),
        ctas=(
            "Follow {brand} for more from behind the scenes.",
            "What would you like to see next? Tell us below.",
            "{objective_cta}",
        ),
        image="the {brand} team at work, candid, showing the tools of {subject}",
    ),
    Pillar(
        name="Community",
        hooks=(
            "A quick question for {audience}:",
            "We asked our community about {subject}, and the answers surprised us.",
            "Your turn: what is your best tip for {subject}?",
        ),
        bodies=(
            "What is the one thing you wish you had known when you started with {subject}? "
            "Reply below; we will share the best answers next week.",
            "Some swear by routine, others by experiment. Where do you stand? {message}",
            "The best ideas we have had came from people like you asking good questions.",
        ),
        ctas=(
            "Share this with someone who would have an opinion.",
            "Reply in the comments; we read every one.",
            "{objective_cta}",
        ),
        image="a bright, simple graphic asking the week's question in large type",
    ),
    Pillar(
        name="Getting started",
        hooks=(
            "If you have been meaning to sort out {subject}, this is your sign.",
            "Here is the easiest way to get started with {brand}.",
            "Made for {audience}.",
        ),
        bodies=(
            "{message} We keep it straightforward: no pressure, clear next steps and help when "
            "you need it.",
            "We built {brand} around {audience}: practical, honest and easy to start.",
            "No long forms and no sales script, just a clear first step and a person to talk "
            "to.",
        ),
        ctas=(
            "{objective_cta}",
            "Start today. {objective_cta}",
            "{objective_cta}",
        ),
        image="a welcoming first-step scene for {audience}, {brand}'s colours",
    ),
)

# The objective decides the call to action; the first keyword found wins.
OBJECTIVE_CTAS = (
    (("newsletter", "sign-up", "signup", "sign up", "subscribe", "subscriber"),
     "Join our newsletter{where}."),
    (("lead", "quote", "enquir", "inquir", "consult", "book", "demo", "appointment"),
     "Book a free consultation{where}."),
    (("sale", "order", "shop", "buy", "revenue", "purchase", "sell"), "Order from our shop{where}."),
    (("event", "webinar", "ticket", "attend", "register"), "Save your place{where}."),
    (("hire", "hiring", "recruit", "job", "career"), "See our open roles{where}."),
    (("download", "guide", "ebook", "whitepaper"), "Get the free guide{where}."),
    (("awareness", "follow", "community", "audience", "reach"), "Follow {brand} for more."),
)


def _lower_first(text: str) -> str:
    text = text.strip().rstrip(".")
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _short(text: str, limit: int = 60) -> str:
    """The first clause of a long description, so it reads naturally inside a sentence."""
    if len(text) <= limit:
        return text
    clause = re.split(r"[,;:(]", text)[0].strip()
    if len(clause) <= limit:
        return clause
    return clause[:limit].rsplit(" ", 1)[0]


def _subject(campaign: Campaign) -> str:
    words = campaign.brand.industry.strip().split()
    while len(words) > 1 and words[-1].lower() in ROLE_WORDS:
        words.pop()
    return _lower_first(" ".join(words)) if words else campaign.brand.name


def _objectives(campaign: Campaign) -> list[str]:
    parts = re.split(r"[\n;]+|(?<=[.!?])\s+", campaign.objectives)
    return [part.strip(" -*•.") for part in parts if part.strip(" -*•.")][:3] or [campaign.name]


def _objective_cta(objective_text: str, brand: str, where: str) -> str:
    lowered = objective_text.lower()
    for keywords, cta in OBJECTIVE_CTAS:
        if any(word in lowered for word in keywords):
            return cta.format(where=where, brand=brand)
    return f"Find out more{where}." if where else f"Follow {brand} for more."


def _seed(campaign: Campaign, hints: Hints) -> int:
    brand = campaign.brand
    parts = [
        brand.name, brand.industry, brand.audience, brand.voice, brand.website,
        ",".join(brand.default_hashtags or []), campaign.name, campaign.objectives,
        ",".join(campaign.platforms), str(campaign.cadence), campaign.start_date.isoformat(),
        campaign.end_date.isoformat(), repr(hints),
    ]
    return int(hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16], 16)


def _tag(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", text.title())


class LocalEngine:
    name = "local"

    def generate(self, campaign: Campaign) -> GenerationResult:
        hints = hints_for(campaign)
        rng = random.Random(_seed(campaign, hints))  # noqa: S311 - variety, not secrecy
        brand = campaign.brand
        objectives = _objectives(campaign)
        subject = _subject(campaign)
        audience = _short(_lower_first(brand.audience)) or f"people who care about {subject}"
        pillars = rng.sample(PILLARS, 3)
        if not any(p.name == "Getting started" for p in pillars):
            pillars[-1] = PILLARS[-1]  # one pillar always serves the objective directly
        # Said to the audience, in posts as well as in the plan.
        key_messages = [
            f"Good {subject} does not need to be complicated: {brand.name} keeps it simple.",
            f"{brand.name} shows the work, not just the result.",
            f"{brand.name} is built for {audience}.",
        ]
        plan = PlanData(
            pillars=[p.name for p in pillars],
            audience=brand.audience or f"People who care about {subject}.",
            key_messages=key_messages,
            rationale=self._rationale(campaign, hints, pillars),
        )
        slots = calendar_slots(campaign, hints, plan.pillars)
        by_name = {p.name: p for p in pillars}
        offsets = {p.name: (rng.randrange(3), rng.randrange(3), rng.randrange(3)) for p in pillars}
        context = {
            "brand": brand.name, "subject": subject, "audience": audience,
            "audience_cap": audience[:1].upper() + audience[1:],
        }
        items = []
        turns: dict[str, int] = {}
        for slot in slots:
            turn = turns.get(f"{slot.pillar}:{slot.platform}", 0)
            turns[f"{slot.pillar}:{slot.platform}"] = turn + 1
            message = key_messages[(turn + len(items)) % len(key_messages)]
            items.append(self._post(
                campaign, slot, by_name[slot.pillar], offsets[slot.pillar], turn, hints,
                {**context, "message": message, "objective": objectives[turn % len(objectives)]},
            ))
        validate_items(items, campaign)
        return GenerationResult(engine=self.name, plan=plan, items=items)

    @staticmethod
    def _rationale(campaign: Campaign, hints: Hints, pillars: list[Pillar]) -> str:
        platforms = ", ".join(PLATFORMS[p].name for p in campaign.platforms)
        return (
            f"Objectives: {'; '.join(_objectives(campaign))}. {len(pillars)} pillars "
            f"({', '.join(p.name for p in pillars)}) take turns so the feed does not repeat itself; {campaign.cadence} posts a week on {platforms}, each "
            "opening with its hook before the platform's \u201csee more\u201d fold and ending with "
            f"a call to action from the objectives. {schedule_rationale(hints)}"
        )

    def _post(self, campaign: Campaign, slot: Slot, pillar: Pillar, offsets: tuple[int, int, int],
              turn: int, hints: Hints, context: dict[str, str]) -> GeneratedItem:
        brand = campaign.brand
        rules = PLATFORMS[slot.platform]
        link = brand.website if rules.links_clickable else ""
        where = ""
        if brand.website:
            where = " at the link below" if rules.links_clickable else " via the link in our bio"
        context = {**context, "objective_cta": _objective_cta(context["objective"], brand.name, where)}
        avoid = [phrase.lower() for phrase in hints.avoid_phrases]
        image = pillar.image.format(**context)
        image = image[:1].upper() + image[1:]
        # Each platform of the same slot starts elsewhere in the patterns, so a brand posting
        # on several platforms does not say the same words everywhere.
        turn += campaign.platforms.index(slot.platform)

        def pick(options: tuple[str, ...], index: int, longest: int = 10_000) -> str:
            # Skip any pattern that would say a phrase Kaizen learned to avoid, or that is
            # longer than allowed (a hook must fit above the "see more" fold).
            for step in range(len(options)):
                text = options[(index + step) % len(options)].format(**context)
                if len(text) <= longest and not any(p in text.lower() for p in avoid):
                    return text
            return ""

        # Hooks and bodies advance at different speeds, so the first nine posts of a pillar
        # are nine different hook/body pairs before any pair comes back.
        hook = pick(pillar.hooks, offsets[0] + turn, rules.see_more_at or 120) or (
            f"{brand.name}: {context['subject']}."[: (rules.see_more_at or 120)]
        )
        body = pick(pillar.bodies, offsets[1] + turn + turn // len(pillar.hooks))
        cta = pick(pillar.ctas, offsets[2] + turn + 2 * (turn // len(pillar.hooks)))
        wanted = HASHTAGS_PER_POST.get(slot.platform, 2)
        if rules.hashtag_limit is not None:
            wanted = min(wanted, rules.hashtag_limit)
        tags = normalise_hashtags(
            [*hints.hashtags, *(brand.default_hashtags or []), _tag(context["subject"]), _tag(pillar.name)]
        )
        tags = [t for t in tags if not any(phrase in t.lower() for phrase in avoid)]
        # The hook goes first so it shows above the fold; longer versions are tried first and
        # shortened until the platform's limit is met.
        candidates = [
            [hook, body, cta], [hook, cta], [hook, body], [hook],
        ]
        for tag_count in range(wanted, -1, -1):
            for parts in candidates:
                caption = "\n\n".join(part for part in parts if part)
                if not caption:
                    continue
                if not post_problems(platform=slot.platform, caption=caption,
                                     hashtags=tags[:tag_count], link=link):
                    return GeneratedItem(
                        platform=slot.platform, scheduled_at=slot.at, pillar=pillar.name,
                        caption=caption, hashtags=tags[:tag_count], link=link,
                        call_to_action=cta[:200],
                        image_brief=f"{image}. Tone: {brand.voice or 'the brand voice'}",
                        image_alt=f"{image}.",
                    )
        raise GenerationError(
            f"No {rules.name} post for {slot.at:%d %b} fits the platform's rules; "
            "shorten the brand's audience or name."
        )
