"""Sizes the domain allows, each stated once and used wherever it is checked (issue 8, defect 14).

A limit that two places state differently wedges a launch: a coalition the
rollout seated but a team's profile refused made every school's team launch
fail inside its workflow. So the rollout seats at most ``MAX_COALITION``
members, and a team's profile allows exactly as many.
"""

MAX_COALITION = 40  # a guiding coalition: a principal per level and area, each department, teacher and union leaders
MAX_TEAM_MEMBERS = 40  # a collaborative team in the district file, and in the team's profile
