package dev.ftscheduler.examples;

import dev.ftscheduler.handler.JobContext;
import dev.ftscheduler.handler.JobHandler;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;

// The README's example job type, word for word (ReadmeTest checks): so it compiles against the real API.
public final class ChargeHandler implements JobHandler {
  private final PaymentsClient payments = new PaymentsClient();   // yours: returns a Future

  public String type() { return "charge"; }

  public void validate(JsonObject payload) {             // at POST /jobs: throw to answer 400
    if (payload.getString("order") == null) throw new IllegalArgumentException("payload.order is required");
  }

  public Future<Void> handle(JobContext ctx) {           // on an event loop: never block it
    return ctx.externalStep("charge", key -> payments.charge(ctx.payload(), key))   // key: <job_id>:charge
        .compose(charged -> ctx.step("ledger", sql -> sql
            .preparedQuery("INSERT INTO ledger (order_id, job_id) VALUES (?, ?)")
            .execute(Tuple.of(ctx.payload().getString("order"), ctx.jobId()))))
        .mapEmpty();
  }
}

/** Stands in for the user's payment client of the README example. */
final class PaymentsClient {
  Future<Void> charge(JsonObject order, String idempotencyKey) {
    return Future.succeededFuture();
  }
}
