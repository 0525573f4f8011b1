-- Cron schedules. Each tick makes one job, whose idempotency key names the schedule and the tick,
-- so however many processes fire the schedule, the tick has one job.
CREATE TABLE schedules (
  name        VARCHAR(100) CHARACTER SET ascii NOT NULL,
  cron        VARCHAR(100) NOT NULL,
  timezone    VARCHAR(64)  NOT NULL,
  type        VARCHAR(100) NOT NULL,
  queue       VARCHAR(64) CHARACTER SET ascii NOT NULL,
  payload     JSON         NOT NULL,
  enabled     BOOLEAN      NOT NULL,
  next_run_at DATETIME(6)  NULL,
  created_at  DATETIME(6)  NOT NULL,
  updated_at  DATETIME(6)  NOT NULL,
  PRIMARY KEY (name),
  KEY ix_schedules_due (enabled, next_run_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
