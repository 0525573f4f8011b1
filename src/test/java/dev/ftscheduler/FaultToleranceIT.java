package dev.ftscheduler;

import dev.ftscheduler.testing.Cluster;
import dev.ftscheduler.testing.Receiver;
import dev.ftscheduler.testing.SchedulerProcess;
import dev.ftscheduler.testing.TestApp;
import dev.ftscheduler.testing.TestDatabase;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guarantees under real failures, with real JVM processes of the built jar on one database:
 * kill -9, SIGSTOP past the lease, SIGTERM under load, a database restart, concurrent duplicates.
 * {@code bench/chaos.sh} runs the kill -9 soak longer, with more jobs.
 */
class FaultToleranceIT {

  private static final Duration DRAIN = Duration.ofMinutes(3);
  private static final String ALL_SUCCESS = "SELECT COUNT(*) FROM jobs WHERE status = 'SUCCESS'";
  private static final String RUNNING = "SELECT COUNT(*) FROM jobs WHERE status = 'RUNNING'";
  private static final String EFFECTS = "SELECT COUNT(*) FROM effects";
  private static final String DISTINCT_EFFECTS = "SELECT COUNT(DISTINCT job_id) FROM effects";

  private static JsonObject effectJob(long beforeMs, long afterMs) {
    return new JsonObject().put("type", "effect").put("max_attempts", 100)
        .put("payload", new JsonObject().put("before_ms", beforeMs).put("after_ms", afterMs));
  }

  @Test
  void killNineSoak() throws Exception {
    int jobs = Integer.getInteger("chaos.jobs", 500);
    Duration chaos = Duration.ofSeconds(Integer.getInteger("chaos.seconds", 20));
    Random random = new Random(42);
    try (Cluster cluster = Cluster.create(Map.of()); Receiver receiver = new Receiver()) {
      cluster.startApi();
      List<SchedulerProcess> workers = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        workers.add(cluster.startWorker("w" + i));
      }
      List<String> httpJobs = new ArrayList<>();
      int effectJobs = 0;
      for (int i = 0; i < jobs; i++) {
        if (i % 5 < 2) {
          httpJobs.add(cluster.submit(new JsonObject().put("type", "http").put("max_attempts", 100).put("payload",
              new JsonObject().put("url", receiver.url("/ok?delay_ms=" + random.nextInt(600))))));
        } else {
          cluster.submit(effectJob(random.nextInt(800), random.nextInt(200)));
          effectJobs++;
        }
      }

      int kills = 0;
      long chaosEnd = System.nanoTime() + chaos.toNanos();
      while (System.nanoTime() < chaosEnd && cluster.count(ALL_SUCCESS) < jobs) {
        Thread.sleep(1000 + random.nextInt(1000)); // the chaos's own rhythm: a kill every 1 to 2 s
        int victim = random.nextInt(workers.size());
        workers.get(victim).kill();
        kills++;
        workers.set(victim, cluster.startWorker("w" + (victim + 1) + "-" + kills));
      }
      cluster.awaitCount(ALL_SUCCESS, jobs, DRAIN);

      long effects = cluster.count(EFFECTS);
      long distinct = cluster.count(DISTINCT_EFFECTS);
      long unreceived = httpJobs.stream().filter(id -> receiver.requests(id + ":http") == 0).count();
      long redelivered = httpJobs.stream().filter(id -> receiver.requests(id + ":http") > 1).count();
      long expired = cluster.count("SELECT COUNT(*) FROM job_attempts WHERE outcome = 'LEASE_EXPIRED'");
      System.out.printf("chaos: jobs=%d kills=%d attempts_cut_by_kill=%d lost=%d stuck=%d duplicated_effects=%d"
              + " missing_effects=%d unreceived_webhooks=%d webhooks_sent_again_same_key=%d%n", jobs, kills, expired,
          jobs - cluster.count(ALL_SUCCESS), cluster.count(RUNNING), effects - distinct, effectJobs - distinct, unreceived,
          redelivered);

      assertThat(kills).as("kills").isGreaterThanOrEqualTo(3);
      assertThat(expired).as("attempts cut short by a kill, then re-run").isPositive();
      assertThat(cluster.count(RUNNING)).as("stuck RUNNING").isZero();
      assertThat(distinct).as("jobs whose effect happened").isEqualTo(effectJobs);
      assertThat(effects).as("effects: exactly one per job").isEqualTo(effectJobs);
      assertThat(unreceived).as("webhooks never received").isZero();
    }
  }

  @Test
  void aPausedWorkerPastItsLeaseWritesNothingWhenItWakes() throws Exception {
    try (Cluster cluster = Cluster.create(Map.of())) {
      cluster.startApi();
      SchedulerProcess zombie = cluster.startWorker("zombie");
      String id = cluster.submit(effectJob(1500, 0));
      cluster.awaitCount("SELECT COUNT(*) FROM jobs WHERE status = 'RUNNING' AND locked_by = 'zombie'", 1, DRAIN);
      zombie.pause();
      try {
        cluster.startWorker("successor");
        cluster.awaitCount("SELECT COUNT(*) FROM jobs WHERE status = 'SUCCESS' AND locked_by = 'successor'", 1, DRAIN);
      } finally {
        zombie.resume();
      }
      zombie.awaitOutput("ended after its lease was lost; nothing recorded", Duration.ofSeconds(30));

      JsonObject job = cluster.job(id);
      assertThat(job.getString("status")).isEqualTo("SUCCESS");
      assertThat(job.getInteger("attempts")).isEqualTo(2);
      assertThat(job.getString("worker_id")).isEqualTo("successor");
      assertThat(cluster.count(EFFECTS)).as("the effect happened once").isEqualTo(1);
      assertThat(cluster.count("SELECT COUNT(*) FROM job_attempts WHERE attempt = 1 AND worker_id = 'zombie'"
          + " AND outcome = 'LEASE_EXPIRED'")).isEqualTo(1);
      assertThat(cluster.count("SELECT COUNT(*) FROM job_attempts WHERE attempt = 2 AND worker_id = 'successor'"
          + " AND outcome = 'SUCCESS'")).isEqualTo(1);
    }
  }

  @Test
  void sigtermUnderLoadDrainsAndExitsZero() throws Exception {
    int jobs = 60;
    try (Cluster cluster = Cluster.create(Map.of())) {
      cluster.startApi();
      SchedulerProcess first = cluster.startWorker("draining");
      for (int i = 0; i < jobs; i++) {
        cluster.submit(effectJob(300, 100));
      }
      cluster.awaitCount("SELECT LEAST(COUNT(*), 8) FROM jobs WHERE status = 'SUCCESS'", 8, DRAIN);
      assertThat(first.terminate(Duration.ofSeconds(30))).as("exit code after SIGTERM").isZero();
      assertThat(cluster.count(RUNNING)).as("jobs left RUNNING by the drained worker").isZero();
      assertThat(first.output()).contains("SIGTERM received").contains("Stopped claiming jobs").contains("Stopped");

      cluster.startWorker("successor");
      cluster.awaitCount(ALL_SUCCESS, jobs, DRAIN);
      assertThat(cluster.count(EFFECTS)).isEqualTo(jobs);
      assertThat(cluster.count(DISTINCT_EFFECTS)).isEqualTo(jobs);
    }
  }

  @Test
  void processesRideOutADatabaseRestart() throws Exception {
    Assumptions.assumeTrue(TestDatabase.isEmbedded(), "restarts only the embedded test database");
    int jobs = 100;
    try (Cluster cluster = Cluster.create(Map.of())) {
      cluster.startApi();
      cluster.startWorker("w1");
      cluster.startWorker("w2");
      for (int i = 0; i < jobs; i++) {
        cluster.submit(effectJob(100, 0));
      }
      cluster.awaitCount("SELECT LEAST(COUNT(*), 20) FROM jobs WHERE status = 'SUCCESS'", 20, DRAIN);
      Thread restart = new Thread(() -> {
        try {
          TestDatabase.restartEmbedded(Duration.ofSeconds(4));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      restart.start();
      // the API stays up and reports the outage
      TestApp.awaitCondition("/healthz to report the database down",
          () -> cluster.send(cluster.request("/healthz").GET()).statusCode() == 503);
      restart.join();

      cluster.awaitCount(ALL_SUCCESS, jobs, DRAIN);
      assertThat(cluster.send(cluster.request("/healthz").GET()).statusCode()).isEqualTo(200);
      assertThat(cluster.count(RUNNING)).isZero();
      assertThat(cluster.count(EFFECTS)).isEqualTo(jobs);
      assertThat(cluster.count(DISTINCT_EFFECTS)).isEqualTo(jobs);
    }
  }

  @Test
  void duplicateSubmissionsFromManyConnectionsMakeOneJob() throws Exception {
    try (Cluster cluster = Cluster.create(Map.of())) {
      cluster.startApi();
      String body = effectJob(0, 0).encode();
      List<CompletableFuture<HttpResponse<String>>> responses = IntStream.range(0, 40)
          .mapToObj(i -> HttpClient.newHttpClient().sendAsync(cluster.request("/jobs")
              .header("Idempotency-Key", "one-order").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
              HttpResponse.BodyHandlers.ofString()))
          .toList();
      List<HttpResponse<String>> done = responses.stream().map(CompletableFuture::join).toList();
      assertThat(done).extracting(HttpResponse::statusCode).containsOnly(200, 201);
      assertThat(done.stream().map(r -> new JsonObject(r.body()).getString("id")).distinct()).hasSize(1);
      assertThat(cluster.count("SELECT COUNT(*) FROM jobs WHERE idempotency_key = 'one-order'")).isEqualTo(1);
    }
  }
}
