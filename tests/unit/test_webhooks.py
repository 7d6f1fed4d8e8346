"""Issue 10, webhooks: the operator's file (PLCFLOW_WEBHOOKS_FILE), what a post says per kind, when it may go."""

from datetime import UTC, date, datetime, time

import pytest

from activities.webhook_payloads import item_of, payload
from activities.webhooks import HOLD, due_at
from app.webhook_file import WebhooksFileError, from_env, parse
from domain.notice_hours import NoticeHours

HOOK = "  - {name: coalition, kind: slack, url: 'https://hooks.slack.example/services/T0/B0/SECRET'}\n"
ITEM = {"kind": "escalation", "team_name": "Grade 7 Math", "school_name": "Silver Valley MS", "step": "pose_question",
        "level": "principal", "reached": ["svm.principal"], "reason": "Pose question in cycle 1 was due 2026-09-21"}


def refusal(text: str) -> str:
    with pytest.raises(WebhooksFileError) as err:
        parse(text)
    return str(err.value)


def test_a_valid_file_names_each_districts_hooks_and_hides_their_urls():
    hooks = parse("silver-valley:\n" + HOOK + "  - {name: local, kind: teams, url: 'http://127.0.0.1:8080/x'}\n")
    assert [(h.name, h.kind) for h in hooks["silver-valley"]] == [("coalition", "slack"), ("local", "teams")]
    assert "SECRET" not in repr(hooks)


def test_a_hook_url_must_use_https_except_towards_this_machine():
    assert refusal("sv:\n  - {name: a, kind: slack, url: 'http://hooks.example.org/SECRET'}\n") == (
        "configuration: PLCFLOW_WEBHOOKS_FILE: district 'sv', hook 1, url: url must use https "
        "(plain http only to 127.0.0.1 or localhost, for testing).")


@pytest.mark.parametrize("text, problem", [
    ("sv:\n  - {name: a, kind: email, url: 'https://h/SECRET'}\n",
     "district 'sv', hook 1, kind: Input should be 'slack', 'teams' or 'google_chat'"),
    ("sv:\n  - {name: a, kind: slack}\n", "district 'sv', hook 1, url: Field required"),
    ("sv:\n  - {name: a, kind: slack, url: 'ftp://h/SECRET'}\n", "district 'sv', hook 1, url: url must be an https:// address"),
    ("sv: https://h/SECRET\n", "district 'sv': must be a list of hooks"),
    ("- https://h/SECRET\n", "the file: must map district ids to lists of hooks"),
    ("sv:\n" + HOOK + HOOK, "district 'sv' names hook coalition twice; each hook of a district needs its own name"),
])
def test_a_bad_file_says_what_is_wrong_in_one_sentence_without_the_url(text, problem):
    message = refusal(text)
    assert message == f"configuration: PLCFLOW_WEBHOOKS_FILE: {problem}."
    assert "SECRET" not in message


def test_the_variable_is_optional_but_a_missing_file_is_an_error(tmp_path):
    assert from_env({}) == {}
    with pytest.raises(WebhooksFileError, match="no such file"):
        from_env({"PLCFLOW_WEBHOOKS_FILE": str(tmp_path / "absent.yaml")})
    (tmp_path / "hooks.yaml").write_text("sv:\n" + HOOK)
    assert list(from_env({"PLCFLOW_WEBHOOKS_FILE": str(tmp_path / "hooks.yaml")})) == ["sv"]


def test_slack_and_google_chat_get_text_listing_every_item_and_slack_escapes_its_markup():
    odd = {**ITEM, "team_name": "Math <A&B>"}
    slack, chat = payload("slack", "sv", [ITEM, odd]), payload("google_chat", "sv", [ITEM, odd])
    assert list(slack) == ["text"] and list(chat) == ["text"]
    assert slack["text"].splitlines()[0] == "*plcflow, sv: 2 items need a next move*"
    assert slack["text"].splitlines()[1] == ("• *Grade 7 Math* (Silver Valley MS) — step: pose question — rung: principal"
                                             " — reached: svm.principal — Pose question in cycle 1 was due 2026-09-21")
    assert "*Math &lt;A&amp;B&gt;*" in slack["text"] and "*Math <A&B>*" in chat["text"]


def test_teams_gets_an_adaptive_card_in_a_message_attachment():
    body = payload("teams", "sv", [ITEM])
    [attachment] = body["attachments"]
    assert body["type"] == "message" and attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["body"][1]["text"].startswith("- Grade 7 Math (Silver Valley MS)")


def test_an_item_keeps_only_what_a_channel_may_read():
    outbox = {"team_name": "Grade 7 Math", "school_id": "svm", "step": "plan_action", "level": "team",
              "reason": "due", "evidence": {"n": 24}, "email": "p@x.org", "escalation_id": "e1"}
    item = item_of("escalation", outbox, ["b", "a", "b"], "Silver Valley MS")
    assert item == {"team_name": "Grade 7 Math", "school_id": "svm", "school_name": "Silver Valley MS",
                    "step": "plan_action", "level": "team", "reason": "due", "kind": "escalation", "reached": ["a", "b"]}


HOURS = NoticeHours.of("America/Los_Angeles", time(7), [date(2026, 10, 2), date(2026, 10, 5)])


def test_a_post_due_on_a_closed_day_waits_for_notify_at_on_the_next_school_day():
    saturday = datetime(2026, 10, 3, 17, tzinfo=UTC)
    assert due_at(HOURS, saturday) == datetime(2026, 10, 5, 14, tzinfo=UTC)
    friday = datetime(2026, 10, 2, 17, tzinfo=UTC)
    assert due_at(HOURS, friday) == friday


def test_a_post_with_no_known_school_day_ahead_or_no_send_hours_is_held_and_asked_again():
    summer = datetime(2026, 10, 6, 17, tzinfo=UTC)
    assert due_at(HOURS, summer) == summer + HOLD
    assert due_at(None, summer) == summer + HOLD
