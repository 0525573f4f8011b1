package dev.ftscheduler.handler;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;

import java.util.function.Function;

/**
 * What a handler knows about the attempt it runs, and the exactly-once guard for its effects.
 *
 * <p>An attempt can run more than once (its worker may die after doing the work and before the
 * outcome is recorded). Put each effect in a step with a key unique within the job, and a later
 * attempt skips the steps that an earlier one completed.
 */
public interface JobContext {

  String jobId();

  String type();

  JsonObject payload();

  /** 1 for the first attempt, 2 for the first retry, and so on. */
  int attempt();

  int maxAttempts();

  Vertx vertx();

  /**
   * A database effect, exactly once: {@code effect} runs on a connection to the scheduler's
   * database inside one transaction with the step's guard row ({@code job_executions}) and a
   * check that this attempt still holds the job's lease. Either all of it commits, or none.
   *
   * @return the effect's result; {@code null} when an earlier attempt already did this step
   *     (the effect does not run again). Fails with {@link LeaseLostException} when the lease
   *     is lost: the handler must then stop.
   */
  <T> Future<T> step(String key, Function<SqlConnection, Future<T>> effect);

  /**
   * An effect outside the database, for a receiver that deduplicates: {@code effect} gets the
   * stable key {@code <job_id>:<step_key>} to send along (the {@code http} handler sends it as
   * {@code Idempotency-Key}); the same key is given on every attempt. When the effect succeeds
   * the step is recorded, and later attempts skip it.
   *
   * @return true when the effect ran now, false when an earlier attempt had recorded it
   */
  Future<Boolean> externalStep(String key, Function<String, Future<Void>> effect);

  /**
   * Completes when this attempt should stop: its lease was lost, it ran past its timeout, or the
   * job was cancelled. The handler's own result no longer counts then; long-running handlers should
   * watch it.
   */
  Future<Void> cancelled();

  default boolean isCancelled() {
    return cancelled().isComplete();
  }
}
