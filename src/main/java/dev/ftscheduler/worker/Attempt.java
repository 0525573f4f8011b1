package dev.ftscheduler.worker;

import dev.ftscheduler.handler.JobContext;
import dev.ftscheduler.job.Job;
import dev.ftscheduler.job.JobStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;

import java.util.function.Function;

/** One attempt of one job, as its handler sees it: the job, the guard for its effects, and cancellation. */
final class Attempt implements JobContext {

  private static final int MAX_STEP_KEY_LENGTH = 200;

  private final Job job;
  private final Vertx vertx;
  private final JobStore store;
  private final Promise<Void> cancelled = Promise.promise();
  private String cancelReason;

  Attempt(Job job, Vertx vertx, JobStore store) {
    this.job = job;
    this.vertx = vertx;
    this.store = store;
  }

  Job job() {
    return job;
  }

  /** Tells the handler to stop; the first reason is kept. */
  void cancel(String reason) {
    if (cancelReason == null) {
      cancelReason = reason; // before completing: listeners read it
      cancelled.complete();
    }
  }

  String cancelReason() {
    return cancelReason;
  }

  @Override
  public String jobId() {
    return job.id();
  }

  @Override
  public String type() {
    return job.type();
  }

  @Override
  public JsonObject payload() {
    return job.payload();
  }

  @Override
  public int attempt() {
    return job.attempts();
  }

  @Override
  public int maxAttempts() {
    return job.maxAttempts();
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public Future<Void> cancelled() {
    return cancelled.future();
  }

  @Override
  public <T> Future<T> step(String key, Function<SqlConnection, Future<T>> effect) {
    checkKey(key);
    return store.databaseStep(job, key, effect);
  }

  @Override
  public Future<Boolean> externalStep(String key, Function<String, Future<Void>> effect) {
    checkKey(key);
    return store.stepDone(job, key).compose(done -> done
        ? Future.succeededFuture(false)
        : effect.apply(job.id() + ":" + key).compose(ran -> store.recordStep(job, key)).map(true));
  }

  private static void checkKey(String key) {
    if (key == null || key.isEmpty() || key.length() > MAX_STEP_KEY_LENGTH || key.startsWith("$")) {
      throw new IllegalArgumentException("a step key must be 1 to " + MAX_STEP_KEY_LENGTH
          + " characters and not start with '$'; got " + key);
    }
  }
}
