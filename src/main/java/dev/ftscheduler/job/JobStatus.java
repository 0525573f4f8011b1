package dev.ftscheduler.job;

/** The life of a job: PENDING → RUNNING → SUCCESS, or back to PENDING for a retry, or DEAD; or CANCELLED. */
public enum JobStatus {
  /** Waiting for its {@code run_at}, or for a worker. */
  PENDING,
  /** Leased by a worker until {@code locked_until}. */
  RUNNING,
  /** Finished successfully. */
  SUCCESS,
  /** Failed its last attempt (or failed permanently): the dead-letter queue. */
  DEAD,
  /** Cancelled through the API before it finished. */
  CANCELLED
}
