"""The one family of errors the domain raises.

Every message is a sentence a teacher or principal can read: it says what was
refused and why, never a stack trace or a field path alone.
"""


class DomainError(Exception):
    """A command the rules refuse. Nothing is recorded when one is raised."""

    @property
    def reason(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class NotAllowed(DomainError):
    """The actor may not do this on this team (authorization is a domain rule)."""


class InvalidTransition(DomainError):
    """The command does not fit where the team stands now."""


class MissingEvidence(DomainError):
    """A step cannot be completed without the evidence it asks for."""


class InvalidConfiguration(DomainError):
    """A team, calendar or policy file does not hold together.

    Carries every problem found, each prefixed with its path in the file, so a
    district admin fixes the file in one pass.
    """

    def __init__(self, what: str, problems: list[str]):
        self.what = what
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{what} is not valid ({len(self.problems)} problem(s)):\n{lines}")
