package dev.ftscheduler.http;

import dev.ftscheduler.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Delayed jobs and priorities, through the API. */
class SchedulingTest {

  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start(new JsonObject().put("WORKER_POOL_SIZE", 1));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static long startedAfterRunAtMicros(String id) {
    return app.queryLong("SELECT TIMESTAMPDIFF(MICROSECOND, j.run_at, a.started_at) FROM jobs j"
        + " JOIN job_attempts a ON a.job_id = j.id WHERE j.id = ?", id);
  }

  @Test
  void aDelayedJobDoesNotStartBeforeItsTime() {
    JsonObject job = new JsonObject(app.post("/jobs", "{\"type\":\"noop\",\"delay_ms\":1500}").body());
    assertThat(Instant.parse(job.getString("run_at"))).isAfter(Instant.parse(job.getString("created_at")).plusMillis(1400));
    app.awaitStatus(job.getString("id"), "SUCCESS");
    assertThat(startedAfterRunAtMicros(job.getString("id"))).isGreaterThanOrEqualTo(0);
  }

  @Test
  void aJobCanBeScheduledForATime() {
    String at = Instant.now().plusSeconds(1).toString();
    JsonObject job = new JsonObject(app.post("/jobs", "{\"type\":\"noop\",\"run_at\":\"" + at + "\"}").body());
    // stored to the microsecond (MariaDB truncates, MySQL rounds)
    assertThat(Math.abs(Duration.between(Instant.parse(at), Instant.parse(job.getString("run_at"))).toNanos()))
        .isLessThan(1000);
    app.awaitStatus(job.getString("id"), "SUCCESS");
    assertThat(startedAfterRunAtMicros(job.getString("id"))).isGreaterThanOrEqualTo(0);
  }

  @Test
  void higherPriorityRunsFirst() {
    // the one worker is busy; then a low- and a high-priority job wait for it
    String blocker = app.submit("{\"type\":\"sleep\",\"payload\":{\"ms\":500}}");
    TestApp.awaitCondition("the blocker to start", () -> "RUNNING".equals(app.job(blocker).getString("status")));
    String low = app.submit("{\"type\":\"noop\",\"priority\":9}");
    String high = app.submit("{\"type\":\"noop\",\"priority\":0}");
    app.awaitStatus(low, "SUCCESS");
    app.awaitStatus(high, "SUCCESS");
    assertThat(app.queryLong("SELECT COUNT(*) FROM job_attempts h JOIN job_attempts l ON l.job_id = ? AND h.job_id = ?"
        + " WHERE h.started_at < l.started_at", low, high)).as("priority 0 started before priority 9").isEqualTo(1);
    assertThat(app.job(high).getInteger("priority")).isZero();
  }

  @Test
  void badSchedulingFieldsNameTheField() {
    assertError("{\"type\":\"noop\",\"run_at\":\"tomorrow\"}", "invalid_run_at");
    assertError("{\"type\":\"noop\",\"run_at\":\"2026-12-01T09:00:00\"}", "invalid_run_at");
    assertError("{\"type\":\"noop\",\"run_at\":\"2026-12-01T09:00:00Z\",\"delay_ms\":5}", "invalid_run_at");
    assertError("{\"type\":\"noop\",\"delay_ms\":-1}", "invalid_delay_ms");
    assertError("{\"type\":\"noop\",\"priority\":10}", "invalid_priority");
    assertError("{\"type\":\"noop\",\"priority\":\"high\"}", "invalid_priority");
  }

  private static void assertError(String body, String error) {
    TestApp.assertBadRequest(app.post("/jobs", body), error, body);
  }
}
