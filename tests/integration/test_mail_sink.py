"""Issue 10, "On one laptop": make run's local SMTP sink keeps each message as one .eml file under data/mail/,
and ``plcflow mail list/show`` read them as their recipients would. The real aiosmtplib talks to the real sink."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest

from app.mail_sink import MailSink, mail_folder, start_sink, stored

ROOT = Path(__file__).resolve().parents[2]


def message(to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "plcflow@localhost", to, subject
    msg.set_content(body)
    msg.add_alternative(f"<p>{body}</p>", subtype="html")
    return msg


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


@pytest.fixture
async def sent(data_dir):
    """Three messages handed to a sink on a free port, as the notifier hands them."""
    sink = start_sink(mail_folder(data_dir))
    try:
        for to, subject in (("t.nelson@demo.example.org", "first"), ("d.slavit@demo.example.org", "second"),
                            ("t.nelson@demo.example.org", "third")):
            await aiosmtplib.send(message(to, subject, f"The {subject} one — Grade 7 Math is waiting."),
                                  hostname="127.0.0.1", port=sink.port)
    finally:
        sink.stop()
    return data_dir


def plcflow(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PLCFLOW_DATA_DIR": str(data_dir)}
    done = subprocess.run([sys.executable, "-m", "cli.main", "mail", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done


async def test_each_accepted_message_is_one_eml_file_named_by_arrival(sent):
    files = sorted(mail_folder(sent).glob("*.eml"))
    assert [m.subject for m in stored(mail_folder(sent))] == ["first", "second", "third"]
    assert len(files) == 3 and not list(mail_folder(sent).glob(".*"))  # nothing left aside
    first = stored(mail_folder(sent))[0]
    assert first.to == ("t.nelson@demo.example.org",) and first.received.tzinfo is not None
    assert "The first one — Grade 7 Math is waiting." in first.read().get_body(("plain",)).get_content()


def test_two_messages_in_the_same_microsecond_get_two_files_in_arrival_order(tmp_path):
    sink, at = MailSink(tmp_path), datetime(2026, 12, 1, 5, 15, 54, 890768, tzinfo=UTC)
    one = sink.store(message("a@x.org", "one", "1").as_bytes(), ["a@x.org"], at)
    two = sink.store(message("b@x.org", "two", "2").as_bytes(), ["b@x.org"], at)
    assert (one.name, two.name) == ("20261201-051554-890768.eml", "20261201-051554-890768-1.eml")
    assert [m.subject for m in stored(tmp_path)] == ["one", "two"]


def test_mail_list_shows_time_recipient_and_subject_oldest_first(sent):
    done = plcflow(sent, "list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 3
    assert "t.nelson@demo.example.org" in lines[0] and lines[0].endswith("first") and " UTC " in lines[0]
    assert "d.slavit@demo.example.org" in lines[1] and lines[1].endswith("second")


def test_mail_list_to_one_address_ignores_case(sent):
    listed = json.loads(plcflow(sent, "list", "--to", "T.Nelson@demo.example.org", "--json").stdout)
    assert [m["subject"] for m in listed] == ["first", "third"]
    assert all(m["to"] == ["t.nelson@demo.example.org"] for m in listed)
    nobody = plcflow(sent, "list", "--to", "nobody@demo.example.org")
    assert nobody.returncode == 0 and "No mail to nobody@demo.example.org" in nobody.stdout


def test_mail_show_prints_the_headers_and_the_plain_text_part(sent):
    second = json.loads(plcflow(sent, "list", "--json").stdout)[1]
    done = plcflow(sent, "show", second["id"])
    assert done.returncode == 0, done.stderr
    head, _, body = done.stdout.partition("\n\n")
    assert "To: d.slavit@demo.example.org" in head and "Subject: second" in head
    assert body.strip() == "The second one — Grade 7 Math is waiting."  # decoded, not quoted-printable, no HTML


def test_mail_show_of_an_unknown_or_malformed_id_exits_2_with_a_sentence(sent):
    missing = plcflow(sent, "show", "20261201-000000-000000")
    assert missing.returncode == 2 and missing.stdout == ""
    assert "There is no message 20261201-000000-000000 in" in missing.stderr
    assert "(plcflow mail list shows the ids)" in missing.stderr
    outside = plcflow(sent, "show", "../../stack")
    assert outside.returncode == 2 and "'../../stack' is not a message id" in outside.stderr


def test_no_mail_yet_is_said_plainly(tmp_path):
    done = plcflow(tmp_path / "fresh", "list")
    assert done.returncode == 0 and "No mail in" in done.stdout and "yet" in done.stdout
