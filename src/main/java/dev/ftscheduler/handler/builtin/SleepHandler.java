package dev.ftscheduler.handler.builtin;

import dev.ftscheduler.handler.JobContext;
import dev.ftscheduler.handler.JobHandler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

/** Takes {@code {"ms": N}} milliseconds (a timer, not a blocked thread), then succeeds; stops early when cancelled. */
public final class SleepHandler implements JobHandler {

  static final long MAX_MS = 24L * 3600 * 1000;

  @Override
  public String type() {
    return "sleep";
  }

  @Override
  public void validate(JsonObject payload) {
    Payloads.nonNegativeLong(payload, "ms", MAX_MS);
  }

  @Override
  public Future<Void> handle(JobContext ctx) {
    long ms = Payloads.nonNegativeLong(ctx.payload(), "ms", MAX_MS);
    Promise<Void> slept = Promise.promise();
    long timer = ctx.vertx().setTimer(Math.max(1, ms), id -> slept.tryComplete());
    ctx.cancelled().onComplete(c -> {
      ctx.vertx().cancelTimer(timer);
      slept.tryFail("sleep cancelled");
    });
    return slept.future();
  }
}
