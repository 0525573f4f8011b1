package dev.ftscheduler.testing;

import dev.ftscheduler.MainVerticle;
import dev.ftscheduler.config.Dsn;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.ftscheduler.metrics.SchedulerMetrics;
import dev.ftscheduler.tracing.Tracing;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** A scheduler running in this JVM on a database of its own, driven through real HTTP. */
public final class TestApp implements AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  public final Dsn dsn;
  public final int port;
  private final Vertx vertx;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final boolean ownsDatabase;

  private TestApp(Vertx vertx, Dsn dsn, int port, boolean ownsDatabase) {
    this.vertx = vertx;
    this.dsn = dsn;
    this.port = port;
    this.ownsDatabase = ownsDatabase;
  }

  /** Fast polling and backoff, so tests wait milliseconds, not the production defaults. */
  public static JsonObject testConfig() {
    return new JsonObject()
        .put("POLL_INTERVAL_MS", 50)
        .put("BACKOFF_BASE_MS", 10)
        .put("BACKOFF_MAX_MS", 100)
        .put("WORKER_POOL_SIZE", 4)
        .put("SHUTDOWN_TIMEOUT_MS", 5000);
  }

  /** Starts a scheduler on a fresh database with {@link #testConfig()} plus {@code overrides}. */
  public static TestApp start(JsonObject overrides) {
    Dsn dsn = TestDatabase.freshDatabase();
    JsonObject config = testConfig().put("DB_DSN", dsn.toUrl()).mergeIn(overrides);
    return start(config, dsn, true);
  }

  /** Starts a scheduler with exactly this configuration (plus a free port if none is given). */
  public static TestApp start(JsonObject config, Dsn dsn, boolean ownsDatabase) {
    return start(config, dsn, ownsDatabase, Tracing.OFF);
  }

  /** A scheduler on a fresh database that traces with {@code tracing}. */
  public static TestApp startTraced(JsonObject overrides, Tracing tracing) {
    Dsn dsn = TestDatabase.freshDatabase();
    return start(testConfig().put("DB_DSN", dsn.toUrl()).mergeIn(overrides), dsn, true, tracing);
  }

  private static TestApp start(JsonObject config, Dsn dsn, boolean ownsDatabase, Tracing tracing) {
    if (!config.containsKey("PORT")) {
      config.put("PORT", freePort());
    }
    // as the launcher builds it: Vert.x reporting its metrics to the scheduler's registry, and tracing
    PrometheusMeterRegistry registry = SchedulerMetrics.newRegistry();
    VertxOptions options = new VertxOptions();
    Vertx vertx = tracing.configure(SchedulerMetrics.vertxBuilder(options, registry), options).build();
    try {
      await(vertx.deployVerticle(new MainVerticle(Map.of(), registry, tracing), new DeploymentOptions().setConfig(config)),
          Duration.ofMinutes(3));
    } catch (RuntimeException e) {
      vertx.close();
      throw e;
    }
    return new TestApp(vertx, dsn, config.getInteger("PORT"), ownsDatabase);
  }

  public HttpResponse<String> post(String path, String body, String... headers) {
    HttpRequest.Builder request = request(path).POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return send(request.build());
  }

  public HttpResponse<String> get(String path) {
    return send(request(path).GET().build());
  }

  public HttpResponse<String> send(HttpRequest request) {
    return send(http, request);
  }

  /** Sends and reads the body as text; failures to connect become unchecked. */
  public static HttpResponse<String> send(HttpClient http, HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(TIMEOUT);
  }

  public HttpClient http() {
    return http;
  }

  /** A 400 whose JSON body names {@code error}. */
  public static void assertBadRequest(HttpResponse<String> response, String error, String what) {
    assertThat(response.statusCode()).as(what).isEqualTo(400);
    assertThat(new JsonObject(response.body()).getString("error")).as(what).isEqualTo(error);
  }

  /** Submits a job and returns its id. */
  public String submit(String json) {
    HttpResponse<String> response = post("/jobs", json);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return new JsonObject(response.body()).getString("id");
  }

  public JsonObject job(String id) {
    HttpResponse<String> response = get("/jobs/" + id);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  /** Polls the job until it has {@code status}; fails after 30 s with the job's last state. */
  public JsonObject awaitStatus(String id, String status) {
    JsonObject[] last = new JsonObject[1];
    awaitCondition("job " + id + " to be " + status, () -> status.equals((last[0] = job(id)).getString("status")),
        () -> String.valueOf(last[0]), TIMEOUT);
    return last[0];
  }

  /** A single number from SQL, e.g. a count. */
  public long queryLong(String sql, Object... params) {
    return TestDatabase.queryLong(dsn, sql, params);
  }

  public void execute(String sql) {
    TestDatabase.execute(dsn, sql);
  }

  /** Runs {@code action} while sampling {@code sample} as fast as it answers; returns the largest value seen. */
  public static long maxDuring(Runnable action, LongSupplier sample) throws InterruptedException {
    AtomicLong max = new AtomicLong();
    AtomicBoolean done = new AtomicBoolean();
    Thread sampler = new Thread(() -> {
      while (!done.get()) {
        max.accumulateAndGet(sample.getAsLong(), Math::max);
      }
    });
    sampler.start();
    try {
      action.run();
    } finally {
      done.set(true);
      sampler.join();
    }
    return max.get();
  }

  public static void awaitCondition(String what, BooleanSupplier condition) {
    awaitCondition(what, condition, () -> "", TIMEOUT);
  }

  /** Polls {@code condition} until it holds; fails after {@code timeout} with {@code state}. */
  public static void awaitCondition(String what, BooleanSupplier condition, Supplier<String> state, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + " " + state.get());
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  public static <T> T await(Future<T> future, Duration timeout) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stops the scheduler (a graceful Vert.x close) and drops its database. */
  @Override
  public void close() {
    await(vertx.close(), Duration.ofMinutes(1));
    if (ownsDatabase) {
      TestDatabase.drop(dsn);
    }
  }
}
