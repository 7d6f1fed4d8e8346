"""The school summary in three round trips (issue 13) answers as the five queries did: the latest level of each
dimension across terms, teams per step (none: empty), what is stalled there."""

from datetime import date
from uuid import uuid4

from activities.read_models import ReadModels


async def test_the_latest_level_of_each_dimension_across_terms_and_an_empty_school(event_store):
    pool, school_id = event_store.pool, f"sum-{uuid4().hex[:8]}"
    await pool.execute("""INSERT INTO school_status (school_id, district_id, name, level, area, rubric_levels, version)
                          VALUES ($1, 'sum-district', 'Summary Middle', 'middle', 'north', $2, 3)""",
                       school_id, ["Beginning", "Developing", "Sustaining"])
    await pool.executemany(
        "INSERT INTO rubric_results (school_id, term, dimension, level, assessed_on) VALUES ($1, $2, $3, $4, $5)",
        [(school_id, "2026-fall", "shared-leadership", "Beginning", date(2026, 12, 1)),
         (school_id, "2026-fall", "collective-inquiry", "Developing", date(2026, 12, 1)),
         (school_id, "2027-spring", "shared-leadership", "Sustaining", date(2027, 5, 1)),
         (school_id, "2027-spring", "action-orientation", "Developing", date(2027, 5, 2))])
    summary = await ReadModels(pool).school_summary(school_id)

    latest = await pool.fetch("""SELECT DISTINCT ON (dimension) dimension, level, term, assessed_on FROM rubric_results
                                  WHERE school_id = $1 ORDER BY dimension, assessed_on DESC""", school_id)
    assert summary["rubric_levels"] == [{**dict(r), "assessed_on": r["assessed_on"].isoformat()} for r in latest]
    assert [(x["dimension"], x["level"]) for x in summary["rubric_levels"]] == [
        ("action-orientation", "Developing"), ("collective-inquiry", "Developing"), ("shared-leadership", "Sustaining")]
    assert len(summary["rubric_history"]) == 4
    assert (summary["teams_per_step"], summary["open_escalations"]) == ({}, [])
    assert (summary["school_id"], summary["district_id"], summary["version"]) == (school_id, "sum-district", 3)
    assert "step_names_" not in summary and summary["rubric_scale"] == ["Beginning", "Developing", "Sustaining"]
    assert await ReadModels(pool).school_summary(f"none-{uuid4().hex[:8]}") is None
