-- Jobs and the exactly-once guard. Times are DATETIME(6) in UTC, always written from the
-- database clock (UTC_TIMESTAMP(6)), never from a JVM.

CREATE TABLE jobs (
  id              CHAR(32) CHARACTER SET ascii NOT NULL,
  type            VARCHAR(100)  NOT NULL,
  status          VARCHAR(16) CHARACTER SET ascii NOT NULL,
  payload         JSON          NOT NULL,
  attempts        INT           NOT NULL DEFAULT 0,
  max_attempts    INT           NOT NULL,
  idempotency_key VARCHAR(255)  NULL,
  run_at          DATETIME(6)   NOT NULL,
  locked_by       VARCHAR(255)  NULL,
  locked_until    DATETIME(6)   NULL,
  lease_token     BIGINT        NOT NULL DEFAULT 0,
  last_error      TEXT          NULL,
  created_at      DATETIME(6)   NOT NULL,
  updated_at      DATETIME(6)   NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_jobs_idempotency_key (idempotency_key),
  -- the claim: due PENDING jobs, oldest first
  KEY ix_jobs_due (status, run_at, id),
  -- the lease reaper: RUNNING jobs whose lease has expired
  KEY ix_jobs_lease (status, locked_until)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE job_executions (
  job_id     CHAR(32) CHARACTER SET ascii NOT NULL,
  step_key   VARCHAR(255) NOT NULL,
  created_at DATETIME(6)  NOT NULL,
  PRIMARY KEY (job_id, step_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
