"""Acting on district and school workflows from outside (the CLI, tests): start, command, read."""

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from domain.rollout.commands import RolloutCommand, StartRollout
from domain.school.commands import SchoolCommand
from workflows.contracts import (
    DISTRICT_UPDATES,
    DISTRICT_WORKFLOW,
    SCHOOL_UPDATES,
    district_workflow_id,
    school_workflow_id,
)
from workflows.district_rollout import DistrictCommandResult, DistrictStatus, DistrictWorkflowInput
from workflows.school_adoption import SchoolCommandResult, SchoolStatus

from .teams import CommandRefused, query_status, send_update


class DistrictClient:
    def __init__(self, client: Client, task_queue: str):
        self._client, self._task_queue = client, task_queue

    async def start(self, start: StartRollout, *, history_limit: int | None = None) -> WorkflowHandle:
        extra = {"history_limit": history_limit} if history_limit else {}
        try:
            return await self._client.start_workflow(
                DISTRICT_WORKFLOW, DistrictWorkflowInput(start=start, **extra),
                id=district_workflow_id(start.district.district_id), task_queue=self._task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            )
        except WorkflowAlreadyStartedError:
            raise CommandRefused(f"District {start.district.district_id} already has a rollout.") from None

    def district(self, district_id: str, run_id: str | None = None) -> WorkflowHandle:
        return self._client.get_workflow_handle(district_workflow_id(district_id), run_id=run_id)

    def school(self, school_id: str, run_id: str | None = None) -> WorkflowHandle:
        return self._client.get_workflow_handle(school_workflow_id(school_id), run_id=run_id)

    async def send(self, district_id: str, command: RolloutCommand) -> DistrictCommandResult:
        return await send_update(self.district(district_id), DISTRICT_UPDATES[type(command)], command,
                                 DistrictCommandResult, f"There is no rollout for district {district_id}.")

    async def send_school(self, school_id: str, command: SchoolCommand) -> SchoolCommandResult:
        return await send_update(self.school(school_id), SCHOOL_UPDATES[type(command)], command,
                                 SchoolCommandResult, f"School {school_id} has not been launched.")

    async def status(self, district_id: str) -> DistrictStatus:
        return await query_status(self.district(district_id), DistrictStatus, f"There is no rollout for district {district_id}.")

    async def school_status(self, school_id: str) -> SchoolStatus:
        return await query_status(self.school(school_id), SchoolStatus, f"School {school_id} has not been launched.")
