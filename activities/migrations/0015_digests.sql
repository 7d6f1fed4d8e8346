-- Issue 10: preferences per person, and digests.
-- Read models (rebuilt from the log by `plcflow projections rebuild`; person_roles is backfilled below):
--   notice_preferences: each person's choice (NoticePreferenceSet); no row means the default, immediate + weekly.
--   person_roles: who is who now (RolloutStarted's people, PersonAdded, RolesChanged, PersonLeft, the coalition's
--                 seats): a digest goes to principals and coalition members.
--   resolved_escalations: what open_escalations held when it was resolved, for "what was resolved" in a digest.
CREATE TABLE IF NOT EXISTS notice_preferences (
    district_id text NOT NULL,
    person_id   text NOT NULL,
    delivery    text NOT NULL CHECK (delivery IN ('immediate', 'digest')),
    digest      text NOT NULL CHECK (digest IN ('daily', 'weekly')),
    PRIMARY KEY (district_id, person_id)
);
CREATE INDEX IF NOT EXISTS notice_preferences_digest_idx ON notice_preferences (person_id) WHERE delivery = 'digest';

CREATE TABLE IF NOT EXISTS person_roles (
    district_id text    NOT NULL,
    person_id   text    NOT NULL,
    roles       text[]  NOT NULL,
    school_id   text,
    coalition   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (district_id, person_id)
);

CREATE TABLE IF NOT EXISTS resolved_escalations (
    escalation_id text PRIMARY KEY,
    kind        text NOT NULL,
    stream_id   text NOT NULL,
    team_id     text,
    school_id   text,
    district_id text,
    subject     text NOT NULL,
    level       text NOT NULL,
    reached     jsonb NOT NULL,
    reason      text NOT NULL,
    resolved_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS resolved_escalations_district_idx ON resolved_escalations (district_id, resolved_at);

-- One digest per person per period ("weekly:2026-12-14"), whoever composes it: the unique key makes a second
-- notifier's insert a no-op. Delivered like an outbox row (the same columns, the same send/park/postpone): a
-- claim leases it, its Message-ID and content are fixed when it is composed, so a resend after a crash is the
-- same message under the same id. The outbox rows folded into it are listed, and marked sent with it.
CREATE TABLE IF NOT EXISTS digests (
    id              bigserial PRIMARY KEY,
    district_id     text NOT NULL,
    person_id       text NOT NULL,
    period          text NOT NULL,
    since           timestamptz,
    composed_at     timestamptz NOT NULL DEFAULT now(),
    content         jsonb,
    outbox_ids      bigint[] NOT NULL DEFAULT '{}',
    message_id      text,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT 'infinity',
    last_error      text,
    parked_at       timestamptz,
    sent_at         timestamptz,
    UNIQUE (district_id, person_id, period)
);
CREATE INDEX IF NOT EXISTS digests_due_idx ON digests (next_attempt_at, id) WHERE sent_at IS NULL AND parked_at IS NULL;

-- A deployment upgrading keeps its people: person_roles backfilled from the log as the projector would fold it
-- (each person's latest record unless they left since; each coalition seat as last decided). A later
-- projection of the same events sets the same rows. notice_preferences has nothing to backfill (its event is
-- new); resolved_escalations starts empty (a digest's "resolved" list begins with this version).
INSERT INTO person_roles (district_id, person_id, roles, school_id)
SELECT district_id, person_id, ARRAY(SELECT jsonb_array_elements_text(person->'roles')), person->>'school'
  FROM (SELECT DISTINCT ON (district_id, person_id) district_id, person_id, person
          FROM (SELECT e.data->'district'->>'district_id' AS district_id, p->>'id' AS person_id, p AS person, e.position
                  FROM events e, jsonb_array_elements(e.data->'district'->'people') p WHERE e.type = 'RolloutStarted'
                UNION ALL
                SELECT substr(stream_id, 10), data->'person'->>'id', data->'person', position
                  FROM events WHERE type IN ('PersonAdded', 'RolesChanged')
                UNION ALL
                SELECT substr(stream_id, 10), data->>'person_id', NULL, position FROM events WHERE type = 'PersonLeft'
               ) records
         ORDER BY district_id, person_id, position DESC) latest
 WHERE person IS NOT NULL
ON CONFLICT (district_id, person_id) DO NOTHING;

UPDATE person_roles r SET coalition = seats.seated
  FROM (SELECT DISTINCT ON (district_id, person_id) district_id, person_id, seated
          FROM (SELECT pr.district_id, pr.person_id, (e.data->'members') ? pr.person_id AS seated, e.position
                  FROM events e JOIN person_roles pr ON 'district-' || pr.district_id = e.stream_id
                 WHERE e.type = 'CoalitionSeated'
                UNION ALL
                SELECT substr(stream_id, 10), data->>'member', type = 'CoalitionMemberSeated', position
                  FROM events WHERE type IN ('CoalitionMemberSeated', 'CoalitionMemberUnseated')
               ) decided
         ORDER BY district_id, person_id, position DESC) seats
 WHERE r.district_id = seats.district_id AND r.person_id = seats.person_id;
