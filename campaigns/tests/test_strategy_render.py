"""The plan cards written in Python are the markup the template loop wrote."""

from __future__ import annotations

from datetime import date

import pytest
from django.template import Context, Template

from campaigns.planning import active_plan_page
from campaigns.templatetags.strategy_render import plan_cards
from campaigns.tests.factories import BrandFactory, CampaignFactory, PlanFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

# The loop the page's template drew the cards with, before plan_cards.
TEMPLATE_LOOP = """{% for item in plans %}
        <article class="plan-card">
          <header>
            <strong>{{ item.campaign.brand.name }}</strong> · {{ item.campaign.name }}<br>
            <small>{{ item.campaign.start_date|date:"j M" }} – {{ item.campaign.end_date|date:"j M Y" }} · {{ item.campaign.cadence }} post{{ item.campaign.cadence|pluralize }} a week</small>
          </header>
          {% if item.plan %}
            <p class="plan-card__version"><span class="badge">Plan v{{ item.plan.version }}</span>
              {% if item.versions > 1 %}<small>{{ item.versions }} versions kept</small>{% endif %}</p>
            <h3 class="plan-card__label">Pillars</h3>
            <ul class="pillars">{% for pillar in item.plan.pillars %}<li>{{ pillar }}</li>{% endfor %}</ul>
            <h3 class="plan-card__label">Audience</h3>
            <p>{{ item.plan.audience|default:"—" }}</p>
            <h3 class="plan-card__label">Key messages</h3>
            <ul>{% for message in item.plan.key_messages %}<li>{{ message }}</li>{% empty %}<li>—</li>{% endfor %}</ul>
          {% else %}
            <p>No plan yet.</p>
          {% endif %}
          <footer>
            <a href="{% url 'campaigns:plan' item.campaign.pk %}">{% if can_edit %}{% if item.plan %}Open and edit the plan{% else %}Write the plan{% endif %}{% else %}Open the plan and its versions{% endif %}</a>
          </footer>
        </article>
      {% endfor %}"""


@pytest.mark.parametrize("can_edit", [True, False])
def test_plan_cards_write_the_markup_of_the_template_loop(can_edit):
    today = date(2026, 3, 1)
    brand = BrandFactory(name="Tom & <Jerry>")
    one = CampaignFactory(brand=brand, name="Spring <b>", cadence=1,
                          start_date=date(2026, 2, 3), end_date=date(2026, 5, 9))
    PlanFactory(campaign=one, version=1, pillars=["Old"])
    PlanFactory(campaign=one, version=2, pillars=["Craft & care", "<Origin>"], audience="",
                key_messages=[])
    two = CampaignFactory(brand=brand, name="Summer", cadence=4,
                          start_date=date(2026, 6, 1), end_date=date(2027, 1, 2))
    PlanFactory(campaign=two, version=1, pillars=[], audience="Cafés", key_messages=["A", "<B>"])
    CampaignFactory(brand=brand, name="Unplanned", start_date=date(2026, 3, 1),
                    end_date=date(2026, 12, 31))
    plans = active_plan_page(today=today)
    expected = Template(TEMPLATE_LOOP).render(Context({"plans": plans, "can_edit": can_edit}))
    assert len(plans.object_list) == 3
    assert plan_cards(plans, can_edit) == expected
