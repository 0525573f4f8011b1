package dev.ftscheduler.http;

import dev.ftscheduler.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Named queues: a process runs the queues in its QUEUES, each with its own concurrency. */
class QueuesTest {

  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start(new JsonObject().put("QUEUES", "emails:1,default:2"));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void aQueueThisProcessDoesNotServeWaits() {
    String other = app.submit("{\"type\":\"noop\",\"queue\":\"reports\"}");
    String mine = app.submit("{\"type\":\"noop\",\"queue\":\"emails\"}");
    app.awaitStatus(mine, "SUCCESS");
    app.awaitStatus(app.submit("{\"type\":\"noop\"}"), "SUCCESS");
    assertThat(app.job(other).getString("status")).isEqualTo("PENDING");
    assertThat(app.job(other).getString("queue")).isEqualTo("reports");
    JsonObject stats = new JsonObject(app.get("/stats").body());
    assertThat(stats.getJsonObject("queues").getJsonObject("reports").getLong("PENDING")).isEqualTo(1);
    assertThat(new JsonObject(app.get("/jobs?queue=reports").body()).getJsonArray("jobs")).hasSize(1);
  }

  @Test
  void eachQueueHasItsOwnConcurrency() throws Exception {
    List<String> ids = IntStream.range(0, 4)
        .mapToObj(i -> app.submit("{\"type\":\"sleep\",\"queue\":\"emails\",\"payload\":{\"ms\":150}}")).toList();
    long maxRunning = TestApp.maxDuring(() -> ids.forEach(id -> app.awaitStatus(id, "SUCCESS")),
        () -> app.queryLong("SELECT COUNT(*) FROM jobs WHERE status = 'RUNNING' AND queue = 'emails'"));
    assertThat(maxRunning).as("emails:1").isEqualTo(1);
  }

  @Test
  void aQueueNameWithOddCharactersIsRefused() {
    HttpResponse<String> response = app.post("/jobs", "{\"type\":\"noop\",\"queue\":\"Bad Queue!\"}");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(response.body()).getString("error")).isEqualTo("invalid_queue");
  }
}
