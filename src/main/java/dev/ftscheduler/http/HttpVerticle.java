package dev.ftscheduler.http;

import dev.ftscheduler.Services;
import dev.ftscheduler.claim.ClaimVerticle;
import dev.ftscheduler.config.SchedulerConfig;
import dev.ftscheduler.handler.JobHandlers;
import dev.ftscheduler.job.BatchEntry;
import dev.ftscheduler.job.Job;
import dev.ftscheduler.job.JobFilter;
import dev.ftscheduler.job.JobStatus;
import io.vertx.core.buffer.Buffer;
import dev.ftscheduler.job.JobStore;
import dev.ftscheduler.job.NewJob;
import dev.ftscheduler.job.Submitted;
import dev.ftscheduler.metrics.SchedulerMetrics;
import dev.ftscheduler.worker.WorkerVerticle;
import dev.ftscheduler.tracing.Tracing;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The HTTP server of every process: liveness (/healthz) and readiness (/readyz), including the
 * database; and where the role runs the API, the REST API to submit and read jobs.
 */
public final class HttpVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(HttpVerticle.class);
  private static final Pattern JOB_ID = Pattern.compile("[0-9a-f]{32}");
  private static final long HEALTH_TIMEOUT_MS = 2000;
  /** The API's OpenAPI 3 document, kept beside the code (src/main/resources/openapi.yaml). */
  private static final Buffer OPENAPI = openApi();
  private static final long STATUS_COUNTS_TTL_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final JobStore store;
  private final JobHandlers handlers;
  private final SchedulerConfig config;
  private final SchedulerMetrics metrics;
  private final Tracing tracing;
  private HttpServer server;
  private Router router;
  /** When the job counts by status were last read for /metrics (System.nanoTime), 0 = never. */
  private long countsReadAt;
  /** Set when the process begins to stop: /readyz reports DOWN so a load balancer stops sending work. */
  private volatile boolean stopping;

  public HttpVerticle(Services services) {
    this.store = services.store();
    this.handlers = services.handlers();
    this.config = services.config();
    this.metrics = services.metrics();
    this.tracing = services.tracing();
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    if (config.role().runsApi()) {
      BodyHandler body = BodyHandler.create(false).setBodyLimit(config.maxBodyBytes());
      router.post("/jobs").handler(body).handler(this::submit);
      router.post("/jobs/batch").handler(body).handler(this::submitBatch);
      router.get("/jobs").handler(this::list);
      router.get("/jobs/:id").handler(this::get);
      router.get("/jobs/:id/attempts").handler(this::attempts);
      router.post("/jobs/:id/retry").handler(body).handler(this::retry);
      router.post("/jobs/:id/cancel").handler(this::cancel);
      router.delete("/jobs/:id").handler(this::delete);
      router.get("/stats").handler(this::stats);
      new SchedulesApi(store, handlers).mount(router, body);
    }
    router.get("/metrics").handler(this::metrics);
    router.get("/openapi.yaml").handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml")
        .end(OPENAPI));
    router.get("/healthz").handler(HealthCheckHandler.createWithHealthChecks(databaseCheck()));
    router.get("/readyz").handler(HealthCheckHandler.createWithHealthChecks(databaseCheck()
        .register("accepting-jobs", promise -> promise.complete(stopping ? Status.KO() : Status.OK()))));
    router.errorHandler(404, ctx -> error(ctx, new ApiError(404, "not_found", "no route for " + ctx.request().method() + " " + ctx.request().path())));
    router.errorHandler(405, ctx -> error(ctx, new ApiError(405, "method_not_allowed", ctx.request().method() + " is not allowed on " + ctx.request().path())));
    router.errorHandler(413, ctx -> error(ctx, new ApiError(413, "body_too_large", "the request body is over " + config.maxBodyBytes() + " bytes (MAX_BODY_BYTES)")));
    router.errorHandler(500, this::internalError);
    // a span for every request when tracing is on, not only for requests that bring a trace
    this.router = router;
    server = vertx.createHttpServer(new HttpServerOptions().setTracingPolicy(TracingPolicy.ALWAYS));
    return server.requestHandler(router).listen(config.port())
        .onSuccess(s -> log.info(config.role().runsApi() ? "HTTP API listening on port {}"
            : "Health checks (/healthz, /readyz) listening on port {}", s.actualPort()));
  }

  /** Prometheus text; the job counts by status come from a query made at most every few seconds. */
  private void metrics(RoutingContext ctx) {
    boolean stale = countsReadAt == 0 || System.nanoTime() - countsReadAt > STATUS_COUNTS_TTL_NANOS;
    Future<Void> counts = !stale ? Future.succeededFuture() : store.countByQueueAndStatus()
        .onSuccess(byQueue -> {
          metrics.jobsByQueueAndStatus(byQueue);
          countsReadAt = System.nanoTime();
        })
        .<Void>mapEmpty()
        .recover(e -> Future.succeededFuture()); // the other metrics still answer while the database is away
    counts.onComplete(v -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
        .end(metrics.scrape()));
  }

  /** The database answers; migrations ran before this verticle was deployed. */
  private HealthChecks databaseCheck() {
    return HealthChecks.create(vertx).register("database", HEALTH_TIMEOUT_MS, promise -> store.ping()
        .onSuccess(v -> promise.complete(Status.OK()))
        .onFailure(e -> promise.complete(Status.KO(new JsonObject().put("error", e.getMessage())))));
  }

  private void submit(RoutingContext ctx) {
    NewJob job = SubmitRequest.parse(ctx.body().buffer(), ctx.request().getHeader("Idempotency-Key"), handlers,
        config.defaultMaxAttempts()).withTraceContext(tracing.currentTraceparent());
    store.submit(job).onComplete(result -> {
      if (result.failed()) {
        unavailable(ctx, result.cause());
        return;
      }
      Submitted submitted = result.result();
      if (submitted.created()) {
        vertx.eventBus().publish(ClaimVerticle.WAKE_UP_ADDRESS, submitted.job().queue());
        ctx.response().putHeader(HttpHeaders.LOCATION, "/jobs/" + submitted.job().id());
        respond(ctx, 201, submitted.job().toJson());
      } else if (sameRequest(submitted.job(), job)) {
        ctx.response().putHeader("Idempotent-Replayed", "true");
        respond(ctx, 200, submitted.job().toJson());
      } else {
        error(ctx, new ApiError(422, "idempotency_key_reused", "Idempotency-Key '" + job.idempotencyKey()
            + "' was used for job " + submitted.job().id() + " with a different type, payload or max_attempts"));
      }
    });
  }

  private void submitBatch(RoutingContext ctx) {
    String traceparent = tracing.currentTraceparent();
    List<NewJob> jobs = SubmitRequest.parseBatch(ctx.body().buffer(), handlers, config.defaultMaxAttempts()).stream()
        .map(job -> job.withTraceContext(traceparent)).toList();
    store.submitAll(jobs).onComplete(result -> {
      if (result.failed()) {
        unavailable(ctx, result.cause());
        return;
      }
      if (result.result().stream().anyMatch(BatchEntry::created)) {
        jobs.stream().map(NewJob::queue).distinct().forEach(queue -> vertx.eventBus().publish(ClaimVerticle.WAKE_UP_ADDRESS, queue));
      }
      JsonArray entries = new JsonArray();
      result.result().forEach(entry -> entries.add(new JsonObject().put("id", entry.id()).put("created", entry.created())));
      respond(ctx, 201, new JsonObject().put("jobs", entries));
    });
  }

  private static boolean sameRequest(Job existing, NewJob requested) {
    return existing.type().equals(requested.type())
        && existing.maxAttempts() == requested.maxAttempts()
        && existing.priority() == requested.priority()
        && existing.queue().equals(requested.queue())
        && Objects.equals(existing.timeoutMs(), requested.timeoutMs())
        && Objects.equals(existing.payload(), requested.payload());
  }

  private static Buffer openApi() {
    try (InputStream in = HttpVerticle.class.getResourceAsStream("/openapi.yaml")) {
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("openapi.yaml is missing from the class path", e);
    }
  }

  /** "METHOD path" of every route, paths in OpenAPI's {param} form: for the test that holds the document to them. */
  List<String> routes() {
    List<String> routes = new ArrayList<>();
    router.getRoutes().forEach(route -> route.methods().forEach(method ->
        routes.add(method.name() + " " + route.getPath().replaceAll(":(\\w+)", "{$1}"))));
    return routes;
  }

  private static String jobId(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!JOB_ID.matcher(id).matches()) {
      throw ApiError.badRequest("invalid_id", "job id must be 32 lowercase hex characters");
    }
    return id;
  }

  private void list(RoutingContext ctx) {
    JobFilter filter = ListRequest.parse(ctx.queryParams());
    // one more than asked: whether there is a next page
    store.list(new JobFilter(filter.status(), filter.type(), filter.queue(), filter.createdFrom(), filter.createdBefore(),
        filter.after(), filter.limit() + 1)).onComplete(result -> {
          if (result.failed()) {
            unavailable(ctx, result.cause());
            return;
          }
          List<Job> jobs = result.result();
          List<Job> page = jobs.subList(0, Math.min(filter.limit(), jobs.size()));
          JsonArray items = new JsonArray();
          page.forEach(job -> items.add(job.toJson()));
          String next = jobs.size() > filter.limit() ? ListRequest.cursorAfter(page.get(page.size() - 1)) : null;
          respond(ctx, 200, new JsonObject().put("jobs", items).put("next_cursor", next));
        });
  }

  /** Finished attempts from the history, and the one in progress from the job's lease. */
  private void attempts(RoutingContext ctx) {
    String id = jobId(ctx);
    store.find(id).compose(job -> job == null ? Future.succeededFuture((JsonArray) null) : store.attempts(id).map(done -> {
      JsonArray attempts = new JsonArray(new ArrayList<>(done));
      if (job.status() == JobStatus.RUNNING) {
        attempts.add(new JsonObject().put("attempt", job.attempts()).put("worker_id", job.lockedBy())
            .put("started_at", job.updatedAt().toString()).putNull("finished_at").putNull("outcome").putNull("error"));
      }
      return attempts;
    })).onComplete(result -> {
      if (result.failed()) {
        unavailable(ctx, result.cause());
      } else if (result.result() == null) {
        error(ctx, new ApiError(404, "not_found", "no job with id " + id));
      } else {
        respond(ctx, 200, new JsonObject().put("job_id", id).put("attempts", result.result()));
      }
    });
  }

  /** A DEAD job runnable again: {@code {"attempts": N}} more attempts (default 1). */
  private void retry(RoutingContext ctx) {
    String id = jobId(ctx);
    Buffer body = ctx.body().buffer();
    JsonObject options = body == null || body.length() == 0 ? new JsonObject() : SubmitRequest.object(body);
    Integer attempts = SubmitRequest.intIn(options.getValue("attempts"), "attempts", 1, SchedulerConfig.MAX_ATTEMPTS_LIMIT);
    int extra = attempts == null ? 1 : attempts;
    changeFinished(ctx, id, store.retryDead(id, extra), "only a DEAD or CANCELLED job can be retried", () -> {
      store.find(id).onSuccess(job -> {
        vertx.eventBus().publish(ClaimVerticle.WAKE_UP_ADDRESS, job.queue());
        respond(ctx, 200, job.toJson());
      }).onFailure(e -> unavailable(ctx, e));
    });
  }

  /** PENDING: CANCELLED at once (200). RUNNING: its worker is asked to stop (202). Finished: 409. */
  private void cancel(RoutingContext ctx) {
    String id = jobId(ctx);
    store.cancel(id).compose(before -> {
      if (before == null) {
        throw new ApiError(404, "not_found", "no job with id " + id);
      }
      if (before != JobStatus.PENDING && before != JobStatus.RUNNING) {
        throw new ApiError(409, "conflict", "job " + id + " is " + before + ": only PENDING and RUNNING jobs can be cancelled");
      }
      if (before == JobStatus.RUNNING) {
        vertx.eventBus().publish(WorkerVerticle.CANCEL_ADDRESS, id);
      }
      return store.find(id).onSuccess(job -> respond(ctx, before == JobStatus.RUNNING ? 202 : 200, job.toJson()));
    }).onFailure(error -> {
      if (error instanceof ApiError apiError) {
        error(ctx, apiError);
      } else {
        unavailable(ctx, error);
      }
    });
  }

  private void delete(RoutingContext ctx) {
    String id = jobId(ctx);
    changeFinished(ctx, id, store.deleteFinished(id), "only a finished (SUCCESS, DEAD or CANCELLED) job can be deleted",
        () -> ctx.response().setStatusCode(204).end());
  }

  /** Answers a change that applies to some statuses only: done, 404 for no job, 409 for a job in another state. */
  private void changeFinished(RoutingContext ctx, String id, Future<Boolean> change, String conflict, Runnable done) {
    change.compose(changed -> changed ? Future.succeededFuture((Job) null) : store.find(id).map(job -> {
      if (job == null) {
        throw new ApiError(404, "not_found", "no job with id " + id);
      }
      throw new ApiError(409, "conflict", conflict + "; job " + id + " is " + job.status());
    })).onComplete(result -> {
      if (result.succeeded()) {
        done.run();
      } else if (result.cause() instanceof ApiError apiError) {
        error(ctx, apiError);
      } else {
        unavailable(ctx, result.cause());
      }
    });
  }

  /** Jobs by status, in all and per queue. */
  private void stats(RoutingContext ctx) {
    store.countByQueueAndStatus().onComplete(result -> {
      if (result.failed()) {
        unavailable(ctx, result.cause());
        return;
      }
      Map<String, Long> total = new HashMap<>();
      JsonObject queues = new JsonObject();
      result.result().forEach((queue, byStatus) -> {
        queues.put(queue, statusCounts(byStatus));
        byStatus.forEach((status, count) -> total.merge(status, count, Long::sum));
      });
      respond(ctx, 200, new JsonObject().put("jobs", statusCounts(total)).put("queues", queues));
    });
  }

  private static JsonObject statusCounts(Map<String, Long> byStatus) {
    JsonObject counts = new JsonObject();
    for (JobStatus status : JobStatus.values()) {
      counts.put(status.name(), byStatus.getOrDefault(status.name(), 0L));
    }
    return counts;
  }

  private void get(RoutingContext ctx) {
    String id = jobId(ctx);
    store.find(id).onComplete(result -> {
      if (result.failed()) {
        unavailable(ctx, result.cause());
      } else if (result.result() == null) {
        error(ctx, new ApiError(404, "not_found", "no job with id " + id));
      } else {
        respond(ctx, 200, result.result().toJson());
      }
    });
  }

  /** Client errors thrown by handlers arrive here as failures with an {@link ApiError}; anything else is ours. */
  private void internalError(RoutingContext ctx) {
    if (ctx.failure() instanceof ApiError apiError) {
      error(ctx, apiError);
      return;
    }
    log.error("{} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
    error(ctx, new ApiError(500, "internal_error", "internal error; see the server log"));
  }

  /** The database did not answer: nothing was written that the client cannot safely retry. */
  static void unavailable(RoutingContext ctx, Throwable cause) {
    log.warn("{} {}: database error: {}", ctx.request().method(), ctx.request().path(), cause.toString());
    error(ctx, new ApiError(503, "database_unavailable", "the database did not answer; retry the request"));
  }

  static void error(RoutingContext ctx, ApiError error) {
    respond(ctx, error.status, error.toJson());
  }

  static void respond(RoutingContext ctx, int status, JsonObject body) {
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
    }
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    log.info("Stopping: /readyz is DOWN; the HTTP API takes no new requests and finishes those in progress");
    return server == null ? Future.succeededFuture() : server.shutdown();
  }
}
