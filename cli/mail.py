"""``plcflow mail list/show``: read what ``make run``'s notifier sent, as its recipients would (issue 10).

The local SMTP sink (app/mail_sink.py) keeps every message as a file under
``data/mail/`` (PLCFLOW_DATA_DIR); nothing here talks to the stack, so it
works while it runs and after it stopped. A bad id exits 2 with one sentence.
"""

from typing import Annotated, Optional

import typer

from app.config import Settings
from app.mail_sink import UnknownMessage, find, mail_folder, plain_text, stored

from . import output

mail_app = typer.Typer(help="Email the notifier sent to make run's local mail sink (data/mail/).", no_args_is_help=True)
SHOWN_HEADERS = ("From", "To", "Subject", "Message-ID", "X-Plcflow-Sink-Received")


def _folder():
    return mail_folder(Settings.from_env().data_dir)


@mail_app.command("list")
def list_mail(
    to: Annotated[Optional[str], typer.Option("--to", help="Only the messages delivered to this address.")] = None,
    json: Annotated[bool, typer.Option("--json", help="Stable JSON on stdout (id, received, to, subject).")] = False,
):
    """Every message the local sink accepted, oldest first: its id, when, to whom, the subject."""
    messages = stored(_folder(), to)
    if json:
        output.emit_json([{"id": m.id, "received": m.received.isoformat(), "to": list(m.to), "subject": m.subject}
                          for m in messages])
        return
    if not messages:
        output.out.print(f"No mail{f' to {to}' if to else ''} in {_folder()} yet.", highlight=False)
        return
    # Plain lines, never a table that would cut an id to fit the terminal: the id is what `show` takes.
    width = max(len(", ".join(m.to)) for m in messages)
    for m in messages:
        typer.echo(f"{m.id}  {m.received:%Y-%m-%d %H:%M:%S} UTC  {', '.join(m.to):<{width}}  {m.subject}")


@mail_app.command("show")
def show_mail(message_id: Annotated[str, typer.Argument(metavar="ID", help="A message id from `plcflow mail list`.")]):
    """One message: its headers and its plain-text part."""
    try:
        message = find(_folder(), message_id).read()
    except UnknownMessage as err:
        output.refuse(str(err), code=2, label="Error")
    for name in SHOWN_HEADERS:
        if message[name] is not None:
            typer.echo(f"{name}: {message[name]}")
    typer.echo("")
    typer.echo(plain_text(message), nl=False)


def register_mail(app: typer.Typer) -> None:
    app.add_typer(mail_app, name="mail")
