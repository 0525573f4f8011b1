package dev.ftscheduler.worker;

import dev.ftscheduler.job.JobStore;
import dev.ftscheduler.testing.Receiver;
import dev.ftscheduler.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Timeouts, the http webhook handler and the finished-job guard, through the API. */
class HandlerBehaviourTest {

  private static TestApp app;
  private static Receiver receiver;

  @BeforeAll
  static void start() {
    app = TestApp.start(new JsonObject());
    receiver = new Receiver();
  }

  @AfterAll
  static void stop() {
    app.close();
    receiver.close();
  }

  private static String webhook(String path) {
    return app.submit(new JsonObject().put("type", "http").put("max_attempts", 3)
        .put("payload", new JsonObject().put("url", receiver.url(path)).put("body", new JsonObject().put("n", 1)))
        .encode());
  }

  @Test
  void aHungHandlerIsStoppedAtItsTimeoutAndRetried() {
    String id = app.submit("{\"type\":\"sleep\",\"payload\":{\"ms\":600000},\"timeout_ms\":100,\"max_attempts\":2}");
    JsonObject job = app.awaitStatus(id, "DEAD");
    assertThat(job.getInteger("attempts")).isEqualTo(2);
    assertThat(job.getString("last_error")).isEqualTo("timed out after 100 ms");
    assertThat(job.getInteger("timeout_ms")).isEqualTo(100);
  }

  @Test
  void aWebhookCarriesTheStableIdempotencyKeyAndSucceedsOn2xx() {
    String id = webhook("/ok");
    app.awaitStatus(id, "SUCCESS");
    assertThat(receiver.requests(id + ":http")).isEqualTo(1);
  }

  @Test
  void a5xxIsRetriedWithTheSameKey() {
    String id = webhook("/fail-once");
    JsonObject job = app.awaitStatus(id, "SUCCESS");
    assertThat(job.getInteger("attempts")).isEqualTo(2);
    assertThat(job.getString("last_error")).contains("answered 500");
    assertThat(receiver.requests(id + ":http")).isEqualTo(2);
  }

  @Test
  void a4xxIsPermanent() {
    String id = webhook("/gone");
    JsonObject job = app.awaitStatus(id, "DEAD");
    assertThat(job.getInteger("attempts")).as("no retry for a 404").isEqualTo(1);
    assertThat(job.getString("last_error")).contains("answered 404");
  }

  @Test
  void a429IsRetriedNoSoonerThanRetryAfter() {
    String id = webhook("/busy-once");
    JsonObject job = app.awaitStatus(id, "SUCCESS");
    assertThat(job.getInteger("attempts")).isEqualTo(2);
    assertThat(app.queryLong("SELECT TIMESTAMPDIFF(MICROSECOND, a.finished_at, b.started_at) FROM job_attempts a"
        + " JOIN job_attempts b ON b.job_id = a.job_id AND b.attempt = 2 WHERE a.job_id = ? AND a.attempt = 1", id))
        .as("Retry-After: 1 was honoured instead of the 10 ms backoff").isGreaterThanOrEqualTo(1_000_000);
  }

  @Test
  void aBadWebhookPayloadIsRefusedAtSubmission() {
    HttpResponse<String> response = app.post("/jobs", "{\"type\":\"http\",\"payload\":{\"url\":\"ftp://x\"}}");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("payload.url");
  }

  @Test
  void aJobWhoseGuardShowsItFinishedIsMarkedSuccessWithoutRunning() {
    // a job that fails whenever it runs, whose guard says its first attempt finished it (its status was
    // not written: say the database was restored from a backup taken in between)
    app.execute("INSERT INTO jobs (id, type, status, payload, attempts, max_attempts, run_at, lease_token, created_at,"
        + " updated_at) VALUES ('0000000000000000000000000000f00d', 'fail', 'PENDING', '{\"times\": 99}', 1, 2,"
        + " UTC_TIMESTAMP(6), 0, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))");
    app.execute("INSERT INTO job_executions (job_id, step_key, created_at) VALUES ('0000000000000000000000000000f00d', '"
        + JobStore.JOB_FINISHED_STEP + "', UTC_TIMESTAMP(6))");
    JsonObject job = app.awaitStatus("0000000000000000000000000000f00d", "SUCCESS");
    assertThat(job.containsKey("last_error")).isFalse();
  }
}
