-- Priorities: 0 runs first, 9 last (default 5). Claims take due jobs by priority, then run_at.
ALTER TABLE jobs ADD COLUMN priority TINYINT NOT NULL DEFAULT 5 AFTER type;
CREATE INDEX ix_jobs_claim ON jobs (status, priority, run_at, id);
DROP INDEX ix_jobs_due ON jobs;
