package dev.ftscheduler;

import dev.ftscheduler.testing.Cluster;
import dev.ftscheduler.testing.SchedulerProcess;
import dev.ftscheduler.testing.TestDatabase;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Scaling out as in the Compose stack: one ROLE=api and two ROLE=worker processes of the jar on one database. */
class ScalingIT {

  @Test
  void twoWorkerProcessesShareTheWorkAndNoJobRunsTwice() throws Exception {
    int jobs = 200;
    try (Cluster cluster = Cluster.create(Map.of("LEASE_SECONDS", "30"))) {
      cluster.startApi();
      SchedulerProcess first = cluster.startWorker("worker-a");
      cluster.startWorker("worker-b");
      for (int i = 0; i < jobs; i++) {
        cluster.submit(new JsonObject().put("type", "effect").put("payload", new JsonObject().put("before_ms", 50)));
      }
      cluster.awaitCount("SELECT COUNT(*) FROM jobs WHERE status = 'SUCCESS'", jobs, Duration.ofMinutes(2));

      long byA = cluster.count("SELECT COUNT(*) FROM jobs WHERE locked_by = 'worker-a'");
      long byB = cluster.count("SELECT COUNT(*) FROM jobs WHERE locked_by = 'worker-b'");
      System.out.printf("scaling: jobs=%d worker-a=%d worker-b=%d%n", jobs, byA, byB);
      assertThat(byA).as("jobs run by worker-a").isPositive();
      assertThat(byB).as("jobs run by worker-b").isPositive();
      assertThat(byA + byB).isEqualTo(jobs);
      assertThat(cluster.count("SELECT COUNT(*) FROM job_attempts")).as("one attempt per job").isEqualTo(jobs);
      assertThat(cluster.count("SELECT COUNT(*) FROM effects")).as("one effect per job").isEqualTo(jobs);
      assertThat(cluster.count("SELECT COUNT(DISTINCT job_id) FROM effects")).isEqualTo(jobs);

      // a worker serves its health checks and metrics on its own port, and no REST API there
      HttpClient http = HttpClient.newHttpClient();
      String workerBase = "http://127.0.0.1:" + first.port();
      assertThat(http.send(HttpRequest.newBuilder(URI.create(workerBase + "/healthz")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
      assertThat(http.send(HttpRequest.newBuilder(URI.create(workerBase + "/jobs/0123456789abcdef0123456789abcdef")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
      // and its own metrics: the jobs it ran
      String metrics = http.send(HttpRequest.newBuilder(URI.create(workerBase + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).contains("job_success_total{type=\"effect\"} " + byA + ".0");
    }
  }

  @Test
  void aCancelThroughTheApiProcessReachesTheWorkerProcessAtItsNextRenewal() throws Exception {
    try (Cluster cluster = Cluster.create(Map.of())) {
      cluster.startApi();
      cluster.startWorker("worker-c");
      String id = cluster.submit(new JsonObject().put("type", "sleep").put("payload", new JsonObject().put("ms", 60_000)));
      cluster.awaitCount("SELECT COUNT(*) FROM jobs WHERE status = 'RUNNING'", 1, Duration.ofSeconds(30));
      assertThat(cluster.send(cluster.request("/jobs/" + id + "/cancel").POST(HttpRequest.BodyPublishers.noBody()))
          .statusCode()).isEqualTo(202);
      // LEASE_SECONDS=2: the worker renews every 667 ms and learns of the request then
      cluster.awaitCount("SELECT COUNT(*) FROM jobs WHERE status = 'CANCELLED'", 1, Duration.ofSeconds(10));
    }
  }

  @Test
  void aCronScheduleFiredByThreeWorkerProcessesMakesExactlyOneJobPerTick() throws Exception {
    try (Cluster cluster = Cluster.create(Map.of())) {
      cluster.startApi();
      for (int i = 1; i <= 3; i++) {
        cluster.startWorker("cron-" + i);
      }
      assertThat(cluster.send(cluster.request("/schedules").POST(HttpRequest.BodyPublishers.ofString(
          "{\"name\":\"forced-ticks\",\"cron\":\"@yearly\",\"type\":\"noop\"}"))).statusCode()).isEqualTo(201);
      // three ticks, each made due at once for all three processes, which race to fire it; @yearly,
      // so no real tick comes in between

      for (int tick = 1; tick <= 3; tick++) {
        TestDatabase.execute(cluster.dsn, "UPDATE schedules SET next_run_at = UTC_TIMESTAMP(6) - INTERVAL " + (10 - tick)
            + " MINUTE WHERE name = 'forced-ticks'");
        cluster.awaitCount("SELECT COUNT(*) FROM schedules WHERE next_run_at > UTC_TIMESTAMP(6)", 1, Duration.ofSeconds(30));
      }
      cluster.awaitCount("SELECT COUNT(*) FROM jobs WHERE status = 'SUCCESS'", 3, Duration.ofSeconds(30));
      assertThat(cluster.count("SELECT COUNT(*) FROM jobs")).as("one job per tick").isEqualTo(3);
      assertThat(cluster.count("SELECT COUNT(DISTINCT idempotency_key) FROM jobs WHERE idempotency_key LIKE 'schedule:forced-ticks:%'"))
          .isEqualTo(3);
    }
  }
}
