package dev.ftscheduler.worker;

import dev.ftscheduler.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Workers, retries and the claim, through the API against a real database. */
class WorkerTest {

  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start(new JsonObject().put("WORKER_POOL_SIZE", 2));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void failingAttemptsAreRetriedUntilTheJobSucceeds() {
    String id = app.submit("{\"type\":\"fail\",\"payload\":{\"times\":2},\"max_attempts\":3}");
    JsonObject job = app.awaitStatus(id, "SUCCESS");
    assertThat(job.getInteger("attempts")).isEqualTo(3);
    assertThat(job.getString("last_error")).contains("attempt 2");
  }

  @Test
  void theLastFailedAttemptMakesTheJobDead() {
    String id = app.submit("{\"type\":\"fail\",\"payload\":{\"times\":5},\"max_attempts\":3}");
    JsonObject job = app.awaitStatus(id, "DEAD");
    assertThat(job.getInteger("attempts")).isEqualTo(3);
    assertThat(job.getString("last_error")).contains("attempt 3");
  }

  @Test
  void aRetryWaitsForItsBackoff() {
    String id = app.submit("{\"type\":\"fail\",\"payload\":{\"times\":1},\"max_attempts\":2}");
    app.awaitStatus(id, "SUCCESS");
    // the retry became due no earlier than BACKOFF_BASE_MS (10 ms) minus 10% jitter after the failure
    assertThat(app.queryLong("SELECT TIMESTAMPDIFF(MICROSECOND, created_at, run_at) FROM jobs WHERE id = ?", id))
        .isGreaterThanOrEqualTo(9_000);
  }

  @Test
  void theClaimNeverLeasesMoreJobsThanFreeWorkers() throws Exception {
    List<String> ids = IntStream.range(0, 8).mapToObj(i -> app.submit("{\"type\":\"sleep\",\"payload\":{\"ms\":150}}")).toList();
    long maxRunning = TestApp.maxDuring(() -> ids.forEach(id -> app.awaitStatus(id, "SUCCESS")),
        () -> app.queryLong("SELECT COUNT(*) FROM jobs WHERE status = 'RUNNING'"));
    assertThat(maxRunning).as("jobs leased at once with 2 workers").isEqualTo(2);
  }

  @Test
  void aJobWhoseLeaseExpiredIsRunAgainByAnotherWorker() {
    insertAsLeftByACrashedWorker("00000000000000000000000000000abc", 1, 3);
    JsonObject job = app.awaitStatus("00000000000000000000000000000abc", "SUCCESS");
    assertThat(job.getInteger("attempts")).isEqualTo(2);
    assertThat(job.getString("worker_id")).isNotEqualTo("crashed-worker");
    assertThat(job.getString("last_error")).contains("lease expired").contains("crashed-worker");
  }

  @Test
  void aCrashOnTheLastAttemptMakesTheJobDead() {
    insertAsLeftByACrashedWorker("00000000000000000000000000000def", 2, 2);
    JsonObject job = app.awaitStatus("00000000000000000000000000000def", "DEAD");
    assertThat(job.getInteger("attempts")).isEqualTo(2);
  }

  /** RUNNING, its attempts counted, and a lease that ran out a second ago. */
  private static void insertAsLeftByACrashedWorker(String id, int attempts, int maxAttempts) {
    app.execute("INSERT INTO jobs (id, type, status, payload, attempts, max_attempts, run_at, locked_by, locked_until,"
        + " lease_token, created_at, updated_at) VALUES ('" + id + "', 'noop', 'RUNNING', '{}', " + attempts + ", "
        + maxAttempts + ", UTC_TIMESTAMP(6), 'crashed-worker', UTC_TIMESTAMP(6) - INTERVAL 1 SECOND, 7,"
        + " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))");
  }

  @Test
  void aSubmissionWakesAnIdleProcessWithoutWaitingForThePoll() {
    try (TestApp idle = TestApp.start(new JsonObject().put("POLL_INTERVAL_MS", 3_600_000))) {
      // the first job may be taken by the claims of workers starting up; by the second, the
      // claimer is idle until its hour-long timer, so only the wake-up can start it
      idle.awaitStatus(idle.submit("{\"type\":\"noop\"}"), "SUCCESS");
      idle.awaitStatus(idle.submit("{\"type\":\"noop\"}"), "SUCCESS");
    }
  }

  @Test
  void failRateOneFailsEveryAttempt() {
    try (TestApp failing = TestApp.start(new JsonObject().put("FAIL_RATE", 1.0))) {
      String id = failing.submit("{\"type\":\"noop\",\"max_attempts\":4}");
      JsonObject job = failing.awaitStatus(id, "DEAD");
      assertThat(job.getInteger("attempts")).isEqualTo(4);
      assertThat(job.getString("last_error")).contains("injected failure");
    }
  }
}
