"""The database keeps one lead per email, whatever the case, even under concurrent writes."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, connections

from leads.models import Lead
from leads.services import lead_upsert


def _race(target, args_list) -> list:
    barrier = threading.Barrier(len(args_list))
    results: list = []

    def run(*args):
        try:
            barrier.wait(timeout=10)
            results.append(target(*args))
        except IntegrityError:
            results.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_lead_email_unique_ci_holds_under_concurrent_inserts():
    results = _race(
        lambda email: Lead.objects.create(email=email) and "inserted",
        [("Same@Example.com",), ("same@example.COM",)],
    )
    assert sorted(results) == ["conflict", "inserted"]
    assert Lead.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_lead_upsert_under_concurrent_submissions_makes_one_lead():
    results = _race(
        lambda email, name: lead_upsert(email=email, values={"name": name}, source="web_form")[1],
        [("Race@Example.com", "First"), ("RACE@example.com", "Second")],
    )
    assert sorted(results) == [False, True]
    assert Lead.objects.count() == 1
    assert Lead.objects.get().activities.count() == 2


@pytest.mark.django_db
def test_lead_email_unique_ci_refuses_a_second_case():
    Lead.objects.create(email="a@ex.com")
    with pytest.raises(IntegrityError):
        Lead.objects.create(email="A@EX.COM")
