package dev.ftscheduler.handler.builtin;

import dev.ftscheduler.handler.JobContext;
import dev.ftscheduler.handler.JobHandler;
import io.vertx.core.Future;

/** Does nothing and succeeds: for benchmarks and smoke tests. */
public final class NoopHandler implements JobHandler {

  @Override
  public String type() {
    return "noop";
  }

  @Override
  public Future<Void> handle(JobContext ctx) {
    return Future.succeededFuture();
  }
}
