-- Issue 11: a supervisor's schools (domain.district.Person.supervises; empty: the whole district), beside their
-- roles in person_roles, so the web app knows whose dashboard and team pages a signed-in person may read.
-- Nothing to backfill: the field is new with this version, so no recorded person has schools to supervise;
-- RolloutStarted, PersonAdded and RolesChanged set it from now on (activities.digest_projections.person_roles).
ALTER TABLE person_roles ADD COLUMN IF NOT EXISTS supervises text[] NOT NULL DEFAULT '{}';
