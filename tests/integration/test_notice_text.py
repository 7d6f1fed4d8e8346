"""Issue 10, "An escalation": what the email says, read as the person who receives it. Which team and step,
since when and how many school days overdue, what would move it (the exact command and API path), a link built
from PLCFLOW_PUBLIC_URL; no evidence numbers, no student information, no other team's data."""

from datetime import date

from activities.notifier import deliver
from tests.integration.test_notifier import LOG, PEOPLE, address, escalated_district, outbox
from domain.steps import Step
from tests.support.builders import EVIDENCE, local
from tests.unit.test_school_rules import START

TODAY = date(2026, 9, 29)
URL = "https://plc.sv.example.org"
OTHER_CREW = {"facilitator": "svm.science-lead", "members": ("svm.teacher4", "svm.teacher5"),
              "principal": "svm.principal", "coalition": ("sv.admin", "sv.union")}


def plain(message) -> str:
    return message.get_body(("plain",)).get_content()


async def test_the_principal_reads_which_team_and_step_how_overdue_and_how_to_move_it(store, inbox):
    expected = await escalated_district(store, teams=2)
    await deliver(store.pool, inbox.smtp, LOG, now=local(TODAY, 10), public_url=URL)

    [message] = inbox.to(address("svm.principal"))
    text, html = plain(message), message.get_body(("html",)).get_content()
    [row, *_] = [r for r in await outbox(store) if r["recipient"] == "svm.principal"]
    team, esc = row["payload"]["team_id"], row["payload"]["escalation_id"]
    due = await store.pool.fetchval("SELECT due_on FROM team_status WHERE team_id = $1", team)
    overdue = sum(1 for d in START.calendar.school_days if due < d <= TODAY)
    assert overdue > 0  # the premise
    for item in expected["svm.principal"]:
        assert f"{item['team_name']}: pose question" in text
    assert f"{overdue} school days overdue" in text and f"{due:%d %B %Y}" in text
    assert "Escalated to the principal rung." in text
    assert f"plcflow team advance {team} (API: POST /v1/teams/{team}/advance)" in text
    assert f'plcflow escalation ack {esc} --reason "..." --as svm.principal' in text
    assert f"plcflow escalation snooze {esc} --until YYYY-MM-DD" in text
    assert f"Open: {URL}/v1/teams/{team}" in text and f'href="{URL}/v1/teams/{team}"' in html
    subject = message["Subject"].strip()  # a long subject is folded onto its own line
    assert subject.startswith("plcflow: Team ") and subject.endswith(f"pose question, {overdue} school days overdue (and 1 more)")


async def test_no_evidence_no_student_data_and_no_other_teams_data(store, inbox):
    expected = await escalated_district(store, teams=2, crews=(PEOPLE, OTHER_CREW))
    await deliver(store.pool, inbox.smtp, LOG, now=local(TODAY, 10))

    names = {r["payload"]["team_id"]: r["payload"]["team_name"] for r in await outbox(store)}
    for person, items in expected.items():
        [message] = inbox.to(address(person))
        text = plain(message) + message.get_body(("html",)).get_content() + message["Subject"]
        theirs = {i["team_id"] for i in items}
        assert all(names[t] in text for t in theirs)
        assert not any(names[t] in text or t in text for t in set(names) - theirs), person  # no other team's data
        recorded = EVIDENCE[Step.IDENTIFY_FOCUS]  # what the teams recorded: none of it may travel
        assert recorded.focus not in text and not any(r.metric in text for r in recorded.results)
        assert not any(word in text for word in ("below", "approaching", "meets", "n=", "student"))
        assert "Open:" not in text  # no PLCFLOW_PUBLIC_URL: no link
    assert any(len(items) == 1 for items in expected.values())  # the premise: someone sees one team only
