"""The plcflow notifier: delivers the outbox (escalations, roster gaps) by email (issue 10).

Production entry point (``python notifier.py``, the ``notifier`` service of
docker-compose.yml); ``make run`` starts it as a child pointed at its local
SMTP sink (app/mail_sink.py). Reads DATABASE_URL (or the embedded stack's),
PLCFLOW_SMTP_*, PLCFLOW_NOTIFY_WINDOW_S, PLCFLOW_PUBLIC_URL and
PLCFLOW_WEBHOOKS_FILE (README: Notifications); serves /metrics on
PLCFLOW_METRICS_ADDRESS. Several may run at once: each claims its rows with
SKIP LOCKED.
"""

import asyncio
import sys

from activities.notifier import SmtpConfig
from activities.notifier_loop import notify_until
from app.config import Settings
from app.process import exit_now
from app.round_process import start_round_process
from app.webhook_file import WebhooksFileError
from app.webhook_file import from_env as webhooks_from_env


def smtp_config(settings: Settings) -> SmtpConfig:
    return SmtpConfig(host=settings.smtp_host, port=settings.smtp_port, starttls=settings.smtp_starttls,
                      tls=settings.smtp_tls, user=settings.smtp_user, password=settings.smtp_password,
                      sender=settings.smtp_from)


async def main() -> None:
    settings = Settings.from_env()
    try:
        webhooks = webhooks_from_env()
    except WebhooksFileError as err:  # a bad file is a start-up error the operator must fix: exit 2, no traceback
        print(err, file=sys.stderr)
        exit_now(2)
    # /metrics: notices sent, parked, postponed; messages (README: Metrics)
    log, url, stop = start_round_process(settings, "notifier", "the outbox")
    await notify_until(url, smtp_config(settings), stop, log, webhooks=webhooks, window_s=settings.notify_window_s,
                       public_url=settings.public_url)


if __name__ == "__main__":
    asyncio.run(main())
    exit_now(0)
