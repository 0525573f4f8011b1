package dev.ftscheduler.handler;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Optional;

/**
 * Job code for one job type. Implementations are found with {@link java.util.ServiceLoader}: list
 * the class in {@code META-INF/services/dev.ftscheduler.handler.JobHandler}.
 *
 * <p>{@link #handle} runs on the worker's event loop and must not block it: return a future, and
 * put blocking code in {@code ctx.vertx().executeBlocking(...)}. A failed future (or an exception)
 * fails the attempt, which is retried with backoff until the job's {@code max_attempts};
 * {@link PermanentFailure} makes the job DEAD at once, {@link RetryLater} sets the delay.
 */
public interface JobHandler {

  /** The job type this handler runs, as given in {@code POST /jobs}. */
  String type();

  /** Checks a payload at submission time; throw {@link IllegalArgumentException} to reject it with a 400. */
  default void validate(JsonObject payload) {
  }

  /** How long one attempt may take when the job gives no {@code timeout_ms}; empty = {@code JOB_TIMEOUT_MS}. */
  default Optional<Duration> defaultTimeout() {
    return Optional.empty();
  }

  Future<Void> handle(JobContext ctx);
}
