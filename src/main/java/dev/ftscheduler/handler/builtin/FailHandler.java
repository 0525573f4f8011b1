package dev.ftscheduler.handler.builtin;

import dev.ftscheduler.handler.JobContext;
import dev.ftscheduler.handler.JobHandler;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** Fails its first {@code {"times": N}} attempts, then succeeds: for testing retries and the dead-letter queue. */
public final class FailHandler implements JobHandler {

  @Override
  public String type() {
    return "fail";
  }

  @Override
  public void validate(JsonObject payload) {
    Payloads.nonNegativeLong(payload, "times", Integer.MAX_VALUE);
  }

  @Override
  public Future<Void> handle(JobContext ctx) {
    long times = Payloads.nonNegativeLong(ctx.payload(), "times", Integer.MAX_VALUE);
    return ctx.attempt() <= times
        ? Future.failedFuture("fail job: attempt " + ctx.attempt() + " of the " + times + " that fail")
        : Future.succeededFuture();
  }
}
