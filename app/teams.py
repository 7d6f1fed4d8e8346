"""Acting on team workflows from outside: start, send a command, read status.

The one client-side path used by the CLI, the stack's demo loader, the tests
and the benchmark. A refused command comes back as ``CommandRefused`` carrying
the domain's sentence; nothing was written.
"""

from collections.abc import AsyncIterator
from datetime import timedelta

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.metrics import COMMANDS
from domain.team.commands import Command, RegisterTeam
from workflows.contracts import STATUS_QUERY, TEAM_UPDATES, TEAM_WORKFLOW, team_workflow_id
from workflows.messages import (
    CommandResult,
    TeamStatus,
    TeamWorkflowInput,
)


class CommandRefused(Exception):
    def __init__(self, reason: str, kind: str | None = None):
        super().__init__(reason)
        self.reason, self.kind = reason, kind


class UnknownTeam(Exception):
    pass


class TeamClient:
    def __init__(self, client: Client, task_queue: str):
        self._client, self._task_queue = client, task_queue

    async def start(self, register: RegisterTeam, *, if_exists: str = "fail", history_limit: int | None = None) -> WorkflowHandle:
        """Start a team's workflow. A team id is never reused: its event stream continues for life."""
        extra = {"history_limit": history_limit} if history_limit else {}
        try:
            return await self._client.start_workflow(
                TEAM_WORKFLOW,
                TeamWorkflowInput(registration=register, **extra),
                id=team_workflow_id(register.team.team_id),
                task_queue=self._task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                id_conflict_policy=(
                    WorkflowIDConflictPolicy.USE_EXISTING if if_exists == "use" else WorkflowIDConflictPolicy.FAIL
                ),
            )
        except WorkflowAlreadyStartedError:
            raise CommandRefused(f"Team {register.team.team_id} already exists; team ids are never reused.") from None

    def handle(self, team_id: str, run_id: str | None = None) -> WorkflowHandle:
        return self._client.get_workflow_handle(team_workflow_id(team_id), run_id=run_id)

    async def send(self, team_id: str, command: Command, *, update_id: str | None = None) -> CommandResult:
        return await send_update(self.handle(team_id), TEAM_UPDATES[type(command)], command, CommandResult,
                                 f"There is no running team {team_id}.", update_id=update_id)

    async def status(self, team_id: str) -> TeamStatus:
        return await query_status(self.handle(team_id), TeamStatus, f"There is no running team {team_id}.")

    async def team_ids(self) -> AsyncIterator[str]:
        query = f"WorkflowType = '{TEAM_WORKFLOW}' AND ExecutionStatus = 'Running'"
        async for wf in self._client.list_workflows(query):
            yield wf.id.removeprefix("team-")



async def send_update(handle: WorkflowHandle, name: str, command, result_type, unknown: str, *, update_id: str | None = None):
    """Send a command as an Update; a refusal becomes ``CommandRefused`` with the domain's sentence.

    Counted here, outside the workflow (a count in workflow code would repeat on replay).
    """
    try:
        result = await handle.execute_update(name, command, id=update_id, result_type=result_type)
    except WorkflowUpdateFailedError as err:
        if isinstance(err.cause, ApplicationError):
            COMMANDS.labels(name, "refused").inc()
            raise CommandRefused(err.cause.message, err.cause.type) from None
        raise
    except RPCError as err:
        raise (UnknownTeam(unknown) if err.status == RPCStatusCode.NOT_FOUND else err) from None
    COMMANDS.labels(name, "accepted").inc()
    return result


# A query that reaches a run just as it continues as new can go unanswered (the
# worker's answer is refused, "workflow execution already completed") and
# would wait for the server's 30 s deadline; by workflow id alone, asking
# again reaches the next run. A healthy answer takes milliseconds (issue 8, defect 15).
QUERY_TIMEOUT = timedelta(seconds=3)
QUERY_ATTEMPTS = 5


async def query_status(handle: WorkflowHandle, result_type, unknown: str):
    for attempt in range(1, QUERY_ATTEMPTS + 1):
        try:
            return await handle.query(STATUS_QUERY, result_type=result_type, rpc_timeout=QUERY_TIMEOUT)
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                raise UnknownTeam(unknown) from None
            unanswered = err.status in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED)
            if not unanswered or attempt == QUERY_ATTEMPTS:
                raise
