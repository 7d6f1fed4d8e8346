"""plcflow's own Prometheus series (issue 8, "Metrics"); served by ``app.telemetry`` on PLCFLOW_METRICS_ADDRESS.

Counted outside workflow code on purpose: a workflow replays, so a counter
there would count again on every replay. Commands are counted where they are
sent (``app.teams.send_update``: the API and the CLI), events and escalations
where they reach the log (the append activity, only the newly appended
ones), the projector's lag and parked events by the projector process, notices
by the notifier process after each round (issue 10).
"""

from collections.abc import Sequence

from prometheus_client import Counter, Gauge

COMMANDS = Counter("plcflow_commands_total", "Commands sent to a workflow, by command and outcome (accepted, refused)",
                   ["command", "outcome"])
EVENTS_APPENDED = Counter("plcflow_events_appended_total", "Events newly appended to the event log, by type", ["type"])
ESCALATIONS = Counter("plcflow_escalations_raised_total", "Escalations raised (or re-raised higher), by kind and rung",
                      ["kind", "rung"])
APPEND_RETRIES = Counter("plcflow_append_retries_total", "Append activity attempts after the first (PostgreSQL slow or away)")
APPENDS_REFUSED = Counter("plcflow_appends_refused_total", "Appends the event log refused (gap or conflict), by error", ["error"])
EVENTS_PROJECTED = Counter("plcflow_events_projected_total", "Events the projector applied to the read models")
EVENTS_PARKED = Counter("plcflow_events_parked_total", "Events the projector parked (could not apply, or held behind one)")
PROJECTOR_LAG = Gauge("plcflow_projector_lag_seconds", "How long the oldest event not yet projected has waited")
PROJECTOR_LISTENING = Gauge("plcflow_projector_listening",
                            "1 while the projector LISTENs for appends (issue 13); 0: it only polls, see its log")
PROJECTOR_WAKES = Counter("plcflow_projector_rounds_total", "Projector rounds, by what started them (notify, poll)",
                          ["woken_by"])
PROJECTOR_BEHIND = Gauge("plcflow_projector_events_behind", "Events past the projector's cursor")
NOTICES = Counter("plcflow_notices_total", "Outbox notices the notifier handled, by outcome (sent, parked, postponed)",
                  ["outcome"])
MESSAGES_SENT = Counter("plcflow_notifier_messages_sent_total", "Email messages the SMTP server accepted (one per person per round)")
PARKED = Gauge("plcflow_parked_events", "Events parked now, waiting for `plcflow projections retry`")

_ESCALATION_KINDS = {"EscalationRaised": "team", "SchoolEscalationRaised": "school", "RolloutEscalationRaised": "district"}


def count_appended(events: Sequence, appended: int) -> None:
    """Count the events a batch newly appended: the store inserts only the tail it did not hold yet."""
    for event in list(events)[len(events) - appended:] if appended else ():
        EVENTS_APPENDED.labels(event.type).inc()
        kind = _ESCALATION_KINDS.get(event.type)
        if kind:
            ESCALATIONS.labels(kind, str(event.data.get("level", "unknown"))).inc()
