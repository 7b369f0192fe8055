"""Row locks under real concurrency: two connections at once, on PostgreSQL.

SQLite serialises every writer, so these only say something on PostgreSQL (CI's second run).
"""

import threading

import pytest
from django.db import connection, connections, transaction
from factories import formed, make_cohort

from commissions.models import Email
from commissions.selection import selecting
from teams.forming import allocating
from teams.models import Team

pytestmark = [
    # The flush after a transactional test would take the migrations' data (Wagtail's root
    # page) from the tests that follow: restore it.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL's concurrency"
    ),
]


def at_once(action, count=2):
    """Run action() in `count` threads released together; return what each returned/raised."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            barrier.wait()
            with transaction.atomic():
                results[i] = action()
        except Exception as exc:  # the loser's refusal is the point
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_coordinators_publish_at_once_teams_go_out_once(call, vocab, coordinator):
    make_cohort(call, vocab)
    formed(call, coordinator)
    results = at_once(lambda: allocating.publish(call, coordinator, accept_warnings=True))
    assert sorted(type(r).__name__ for r in results) == ["TeamsError", "int"]
    assert Team.objects.filter(published_at__isnull=False).count() == 3
    assert Email.objects.filter(kind="team_student").count() == 12


def test_two_confirmations_of_a_selection_apply_once(call, vocab, coordinator):
    selected, _students, _sups = make_cohort(call, vocab, students=0, supervisors=0)
    for c in selected:
        c.status = "under_review"
        c.save(update_fields=["status"])
    run = selecting.run_selection(call, coordinator, selecting.default_params(call))
    results = at_once(lambda: selecting.confirm_run(run, coordinator))
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], selecting.AlreadyConfirmed)
    assert Email.objects.filter(key__startswith="decision:").count() == len(selected)


def test_two_tabs_saving_at_once_one_wins_the_other_is_told(call, vocab, coordinator):
    from commissions.intake.forms import EditForm
    from commissions.intake.services import update_commission

    (commission, *_rest), _students, _sups = make_cohort(call, vocab, 1, 0, 0)
    base = EditForm(instance=commission, call=call).initial
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in base.items() if v is not None}
    data["languages"] = ["fr"]
    data["preferred_presentation"] = call.key_dates.filter(kind="oral").first().pk
    data["version"] = commission.version()  # both tabs opened the same version

    def save(title):
        def action():
            form = EditForm({**data, "title": title}, instance=commission, call=call)
            assert form.is_valid(), form.errors
            return update_commission(form)

        return action

    barrier_actions = [save("Onglet A"), save("Onglet B")]
    results = at_once(lambda: barrier_actions.pop()(), count=2)
    assert sorted(type(r).__name__ for r in results) == ["Commission", "bool"], results
    assert False in results  # the later tab is told, not silently overwritten
    commission.refresh_from_db()
    assert commission.title in ("Onglet A", "Onglet B")


def test_two_reminder_runs_at_once_send_each_step_once(call, vocab, coordinator):
    from factories import publish_cohort

    from teams.follow import reminders
    from teams.models import Reminder

    publish_cohort(call, vocab, coordinator, report_in_days=7)
    results = at_once(reminders.send_reminders)
    assert sum(r for r in results if isinstance(r, int)) == 12, results
    assert Reminder.objects.count() == 24
    emails = Email.objects.filter(kind="milestone_reminder")
    assert emails.count() == 12 and len(set(emails.values_list("to", flat=True))) == 12
