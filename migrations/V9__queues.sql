-- Named queues: a process serves the queues in its QUEUES, each with a concurrency of its own.
ALTER TABLE jobs ADD COLUMN queue VARCHAR(64) CHARACTER SET ascii NOT NULL DEFAULT 'default' AFTER type;
CREATE INDEX ix_jobs_queue_claim ON jobs (status, queue, priority, run_at, id);
DROP INDEX ix_jobs_claim ON jobs;
