-- Each district's school days, so reads can say how many school days a team has been in its step.
CREATE TABLE IF NOT EXISTS school_days (
    district_id text NOT NULL,
    day         date NOT NULL,
    PRIMARY KEY (district_id, day)
);
