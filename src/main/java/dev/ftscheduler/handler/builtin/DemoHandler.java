package dev.ftscheduler.handler.builtin;

import dev.ftscheduler.handler.JobContext;
import dev.ftscheduler.handler.JobHandler;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The seed's demo job: logs its payload. */
public final class DemoHandler implements JobHandler {

  private static final Logger log = LoggerFactory.getLogger(DemoHandler.class);

  @Override
  public String type() {
    return "demo";
  }

  @Override
  public Future<Void> handle(JobContext ctx) {
    log.info("demo job {} (attempt {}): {}", ctx.jobId(), ctx.attempt(), ctx.payload().encode());
    return Future.succeededFuture();
  }
}
