package dev.ftscheduler.testing;

import dev.ftscheduler.handler.JobContext;
import dev.ftscheduler.handler.JobHandler;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;

/**
 * A job with one database effect under the exactly-once guard: it waits {@code before_ms}, adds a
 * row to the test's {@code effects} table in the step "effect", then waits {@code after_ms}. The
 * waits give kill -9 and SIGSTOP room to land before, during and after the effect. Test-only:
 * registered from the test classpath.
 */
public final class EffectHandler implements JobHandler {

  public static final String CREATE_TABLE = "CREATE TABLE IF NOT EXISTS effects ("
      + " job_id CHAR(32) NOT NULL, attempt INT NOT NULL, at DATETIME(6) NOT NULL)";

  @Override
  public String type() {
    return "effect";
  }

  @Override
  public Future<Void> handle(JobContext ctx) {
    return pause(ctx, "before_ms")
        .compose(v -> ctx.step("effect", conn -> conn
            .preparedQuery("INSERT INTO effects (job_id, attempt, at) VALUES (?, ?, UTC_TIMESTAMP(6))")
            .execute(Tuple.of(ctx.jobId(), ctx.attempt()))))
        .compose(v -> pause(ctx, "after_ms"));
  }

  private static Future<Void> pause(JobContext ctx, String field) {
    long ms = ctx.payload().getLong(field, 0L);
    return ms == 0 ? Future.succeededFuture() : ctx.vertx().timer(ms).mapEmpty();
  }
}
