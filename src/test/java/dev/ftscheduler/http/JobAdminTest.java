package dev.ftscheduler.http;

import dev.ftscheduler.testing.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Listing, the dead-letter API, attempt history and stats, through HTTP. */
class JobAdminTest {

  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start(new JsonObject());
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static JsonObject body(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }

  @Test
  void aDeadJobIsListedRetriedToSuccessAndDeleted() {
    String id = app.submit("{\"type\":\"fail\",\"payload\":{\"times\":2},\"max_attempts\":2}");
    app.awaitStatus(id, "DEAD");
    JsonArray dead = body(app.get("/jobs?status=DEAD&type=fail")).getJsonArray("jobs");
    assertThat(dead.stream().map(j -> ((JsonObject) j).getString("id"))).contains(id);

    HttpResponse<String> retried = app.post("/jobs/" + id + "/retry", "{\"attempts\": 1}");
    assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
    assertThat(body(retried).getInteger("max_attempts")).isEqualTo(3);
    JsonObject done = app.awaitStatus(id, "SUCCESS");
    assertThat(done.getInteger("attempts")).as("attempts keep counting").isEqualTo(3);

    JsonArray attempts = body(app.get("/jobs/" + id + "/attempts")).getJsonArray("attempts");
    assertThat(attempts).hasSize(3);
    assertThat(attempts.getJsonObject(0).getString("outcome")).isEqualTo("FAILURE");
    assertThat(attempts.getJsonObject(2).getString("outcome")).isEqualTo("SUCCESS");

    assertThat(app.post("/jobs/" + id + "/retry", "").statusCode()).as("only DEAD can be retried").isEqualTo(409);
    assertThat(app.send(app.request("/jobs/" + id).DELETE().build()).statusCode()).isEqualTo(204);
    assertThat(app.get("/jobs/" + id).statusCode()).isEqualTo(404);
    assertThat(app.get("/jobs/" + id + "/attempts").statusCode()).isEqualTo(404);
  }

  @Test
  void aJobThatIsNotFinishedCannotBeDeleted() {
    String id = app.submit("{\"type\":\"sleep\",\"payload\":{\"ms\":2000}}");
    TestApp.awaitCondition("it to run", () -> "RUNNING".equals(app.job(id).getString("status")));
    HttpResponse<String> refused = app.send(app.request("/jobs/" + id).DELETE().build());
    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(body(refused).getString("message")).contains("RUNNING");
    JsonArray attempts = body(app.get("/jobs/" + id + "/attempts")).getJsonArray("attempts");
    assertThat(attempts).hasSize(1);
    assertThat(attempts.getJsonObject(0).getString("outcome")).as("in progress").isNull();
  }

  @Test
  void pagingThroughAThousandJobsWhileNewOnesArriveMissesNone() {
    Set<String> submitted = new HashSet<>();
    JsonArray batch = new JsonArray();
    for (int i = 0; i < 1000; i++) {
      batch.add(new JsonObject().put("type", "noop").put("delay_ms", 3_600_000));
    }
    body(app.post("/jobs/batch", new JsonObject().put("jobs", batch).encode())).getJsonArray("jobs")
        .forEach(entry -> submitted.add(((JsonObject) entry).getString("id")));
    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject page = body(app.get("/jobs?status=PENDING&limit=97" + (cursor == null ? "" : "&cursor=" + cursor)));
      page.getJsonArray("jobs").forEach(job -> assertThat(seen.add(((JsonObject) job).getString("id")))
          .as("no job twice").isTrue());
      cursor = page.getString("next_cursor");
      // new jobs keep arriving between pages
      app.post("/jobs", "{\"type\":\"noop\",\"delay_ms\":3600000}");
      pages++;
    } while (cursor != null && pages < 100);
    assertThat(seen).containsAll(submitted);
  }

  @Test
  void aPendingJobIsCancelledAtOnceAndCanBeRetried() {
    String id = app.submit("{\"type\":\"noop\",\"delay_ms\":3600000}");
    HttpResponse<String> cancelled = app.post("/jobs/" + id + "/cancel", "");
    assertThat(cancelled.statusCode()).isEqualTo(200);
    assertThat(body(cancelled).getString("status")).isEqualTo("CANCELLED");
    assertThat(app.post("/jobs/" + id + "/cancel", "").statusCode()).as("already finished").isEqualTo(409);
    assertThat(app.post("/jobs/" + id + "/retry", "").statusCode()).isEqualTo(200);
    app.awaitStatus(id, "SUCCESS");
  }

  @Test
  void aRunningJobIsToldThroughItsContextAndEndsCancelled() {
    String id = app.submit("{\"type\":\"sleep\",\"payload\":{\"ms\":60000}}");
    TestApp.awaitCondition("it to run", () -> "RUNNING".equals(app.job(id).getString("status")));
    HttpResponse<String> requested = app.post("/jobs/" + id + "/cancel", "");
    assertThat(requested.statusCode()).isEqualTo(202);
    JsonObject job = app.awaitStatus(id, "CANCELLED");
    assertThat(job.getInteger("attempts")).isEqualTo(1);
    JsonArray attempts = body(app.get("/jobs/" + id + "/attempts")).getJsonArray("attempts");
    assertThat(attempts.getJsonObject(0).getString("outcome")).isEqualTo("CANCELLED");
    assertThat(app.post("/jobs/0123456789abcdef0123456789abcdef/cancel", "").statusCode()).isEqualTo(404);
  }

  @Test
  void statsCountJobsByStatus() {
    JsonObject stats = body(app.get("/stats")).getJsonObject("jobs");
    assertThat(stats.fieldNames()).contains("PENDING", "RUNNING", "SUCCESS", "DEAD");
    long total = stats.stream().mapToLong(e -> ((Number) e.getValue()).longValue()).sum();
    assertThat(total).isEqualTo(app.queryLong("SELECT COUNT(*) FROM jobs"));
  }

  @Test
  void badListingParametersNameTheParameter() {
    assertError("/jobs?status=LOST", "invalid_status");
    assertError("/jobs?limit=501", "invalid_limit");
    assertError("/jobs?limit=x", "invalid_limit");
    assertError("/jobs?cursor=garbage", "invalid_cursor");
    assertError("/jobs?created_from=yesterday", "invalid_created_from");
    assertError("/jobs?colour=red", "unknown_parameter");
  }

  private static void assertError(String path, String error) {
    TestApp.assertBadRequest(app.get(path), error, path);
  }
}
