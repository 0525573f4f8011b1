-- Attempt history: one row per attempt, written in the same transaction as the claim and as the
-- attempt's fenced outcome.
CREATE TABLE job_attempts (
  job_id      CHAR(32) CHARACTER SET ascii NOT NULL,
  attempt     INT          NOT NULL,
  worker_id   VARCHAR(255) NOT NULL,
  started_at  DATETIME(6)  NOT NULL,
  finished_at DATETIME(6)  NULL,
  -- SUCCESS, FAILURE, or LEASE_EXPIRED (the worker died or stalled); NULL while running
  outcome     VARCHAR(16) CHARACTER SET ascii NULL,
  error       TEXT         NULL,
  PRIMARY KEY (job_id, attempt)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Per-job timeout of one attempt; NULL = the handler's default, else JOB_TIMEOUT_MS.
ALTER TABLE jobs ADD COLUMN timeout_ms INT NULL AFTER max_attempts;
