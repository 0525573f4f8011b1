package dev.ftscheduler.job;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * One row of {@code jobs}. {@code leaseToken} is the fencing token: it changes on every claim,
 * and every write a worker makes for the job must present the token it was given.
 * {@code finishedBefore} is set by a claim when the job's guard rows show an earlier attempt
 * finished it: it is then marked SUCCESS without running again.
 */
public record Job(
    String id,
    String type,
    String queue,
    int priority,
    JobStatus status,
    JsonObject payload,
    int attempts,
    int maxAttempts,
    Integer timeoutMs,
    String idempotencyKey,
    Instant runAt,
    String lockedBy,
    Instant lockedUntil,
    long leaseToken,
    String lastError,
    Instant createdAt,
    Instant updatedAt,
    String traceContext,
    boolean finishedBefore) {

  /** The API's view of a job: the seed's fields, then ours. Internal lease fields stay out. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("id", id)
        .put("type", type)
        .put("status", status.name())
        .put("queue", queue)
        .put("priority", priority)
        .put("attempts", attempts)
        .put("max_attempts", maxAttempts)
        .put("payload", payload)
        .put("created_at", createdAt.toString())
        .put("updated_at", updatedAt.toString())
        .put("run_at", runAt.toString());
    if (timeoutMs != null) {
      json.put("timeout_ms", timeoutMs);
    }
    if (idempotencyKey != null) {
      json.put("idempotency_key", idempotencyKey);
    }
    if (lockedBy != null) {
      json.put("worker_id", lockedBy);
    }
    if (lastError != null) {
      json.put("last_error", lastError);
    }
    return json;
  }

  /** This job as leased by a claim: RUNNING, one more attempt, a new lease token. */
  Job leasedTo(String workerId, boolean finishedBefore) {
    return new Job(id, type, queue, priority, JobStatus.RUNNING, payload, attempts + 1, maxAttempts, timeoutMs, idempotencyKey, runAt,
        workerId, null, leaseToken + 1, lastError, createdAt, updatedAt, traceContext, finishedBefore);
  }
}
