package dev.ftscheduler.testing;

import dev.ftscheduler.config.Dsn;
import dev.ftscheduler.db.Migrations;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Scheduler processes of the built jar on one fresh database: an API process and any number of
 * worker processes, with fast test timings. The database has the test's {@code effects} table.
 */
public final class Cluster implements AutoCloseable {

  public final Dsn dsn;
  private final Map<String, String> settings;
  private final List<SchedulerProcess> processes = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private int apiPort;

  private Cluster(Dsn dsn, Map<String, String> settings) {
    this.dsn = dsn;
    this.settings = settings;
  }

  /** A cluster whose processes share these settings, on top of short leases and polls. */
  public static Cluster create(Map<String, String> overrides) throws Exception {
    Dsn dsn = TestDatabase.freshDatabase();
    Migrations.apply(dsn);
    TestDatabase.execute(dsn, EffectHandler.CREATE_TABLE);
    Map<String, String> settings = new HashMap<>(Map.of(
        "DB_DSN", dsn.toUrl(),
        "POLL_INTERVAL_MS", "100",
        "LEASE_SECONDS", "2",
        "BACKOFF_BASE_MS", "50",
        "BACKOFF_MAX_MS", "500",
        "WORKER_POOL_SIZE", "4",
        "SHUTDOWN_TIMEOUT_MS", "10000"));
    settings.putAll(overrides);
    return new Cluster(dsn, settings);
  }

  public SchedulerProcess startApi() throws IOException {
    apiPort = TestApp.freePort();
    return start("api", Map.of("ROLE", "api", "PORT", String.valueOf(apiPort), "WORKER_ID", "api"));
  }

  public SchedulerProcess startWorker(String workerId) throws IOException {
    return start(workerId, Map.of("ROLE", "worker", "PORT", String.valueOf(TestApp.freePort()), "WORKER_ID", workerId));
  }

  private SchedulerProcess start(String name, Map<String, String> own) throws IOException {
    Map<String, String> env = new HashMap<>(settings);
    env.putAll(own);
    SchedulerProcess process = SchedulerProcess.start(dsn.database() + "-" + name, env);
    processes.add(process);
    return process;
  }

  public int apiPort() {
    return apiPort;
  }

  public HttpResponse<String> send(HttpRequest.Builder request) {
    return TestApp.send(http, request.timeout(Duration.ofSeconds(30)).build());
  }

  public HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path));
  }

  /** Submits through the API process; returns the job id. */
  public String submit(JsonObject job) {
    HttpResponse<String> response = send(request("/jobs").POST(HttpRequest.BodyPublishers.ofString(job.encode())));
    if (response.statusCode() != 201) {
      throw new AssertionError("submit answered " + response.statusCode() + ": " + response.body());
    }
    return new JsonObject(response.body()).getString("id");
  }

  public JsonObject job(String id) {
    return new JsonObject(send(request("/jobs/" + id).GET()).body());
  }

  /** A single number from SQL on the cluster's database. */
  public long count(String sql, Object... params) {
    return TestDatabase.queryLong(dsn, sql, params);
  }

  /** Waits until {@code sql} counts {@code expected}, up to {@code timeout}; the database may be down meanwhile. */
  public void awaitCount(String sql, long expected, Duration timeout) {
    long[] last = {-1};
    TestApp.awaitCondition(expected + " from " + sql, () -> (last[0] = countOrMinusOne(sql)) == expected,
        () -> "; last " + last[0], timeout);
  }

  private long countOrMinusOne(String sql) {
    try {
      return count(sql);
    } catch (IllegalStateException unreachable) {
      return -1;
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (SchedulerProcess process : processes) {
      process.close();
    }
    TestDatabase.drop(dsn);
  }
}
