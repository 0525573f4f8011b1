package dev.ftscheduler.handler;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Job code for one job type. Implementations are found with {@link java.util.ServiceLoader}: list
 * the class in {@code META-INF/services/dev.ftscheduler.handler.JobHandler}.
 *
 * <p>{@link #handle} runs on the worker's event loop and must not block it: return a future, and
 * put blocking code in {@code ctx.vertx().executeBlocking(...)}. A failed future (or an exception)
 * fails the attempt, which is retried with backoff until the job's {@code max_attempts}.
 */
public interface JobHandler {

  /** The job type this handler runs, as given in {@code POST /jobs}. */
  String type();

  /** Checks a payload at submission time; throw {@link IllegalArgumentException} to reject it with a 400. */
  default void validate(JsonObject payload) {
  }

  Future<Void> handle(JobContext ctx);
}
