"""The school self-assessment rubric (seed 004): dimensions, indicators and a rating scale.

All of it is configuration: a district names its own levels ("Beginning" ..
"Sustaining") and may adapt the indicators; the code only knows that levels
are ordered, so a school's trend can be computed.
"""

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .team.profile import Slug
from .text import text

Text = text(300)


class Dimension(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Slug
    name: Text
    indicators: Annotated[tuple[Text, ...], Field(min_length=1)]


class Rubric(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    levels: Annotated[tuple[text(40), ...], Field(min_length=2, max_length=10)]
    dimensions: Annotated[tuple[Dimension, ...], Field(min_length=1, max_length=12)]

    @model_validator(mode="after")
    def _distinct(self) -> "Rubric":
        if len(set(self.levels)) != len(self.levels):
            raise ValueError("levels must be distinct")
        ids = [d.id for d in self.dimensions]
        if len(set(ids)) != len(ids):
            raise ValueError("dimension ids must be distinct")
        return self

    def rank(self, level: str) -> int:
        return self.levels.index(level)

    def problems(self, ratings: dict[str, str]) -> list[str]:
        """What is wrong with a set of ratings: every dimension rated once, on the scale."""
        out = [f"no rating for {d.name}" for d in self.dimensions if d.id not in ratings]
        known = {d.id for d in self.dimensions}
        out += [f"{k} is not a dimension of the rubric" for k in ratings if k not in known]
        out += [f"{v!r} ({k}) is not a level of the scale {list(self.levels)}" for k, v in ratings.items() if v not in self.levels]
        return out


class Assessment(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    term: str
    assessed_on: date
    ratings: dict[str, str]


def trend(rubric: Rubric, assessments: tuple[Assessment, ...]) -> dict[str, int]:
    """Per dimension, how many levels the latest assessment moved from the one before."""
    if len(assessments) < 2:
        return {}
    before, latest = assessments[-2], assessments[-1]
    return {d.id: rubric.rank(latest.ratings[d.id]) - rubric.rank(before.ratings[d.id]) for d in rubric.dimensions}
