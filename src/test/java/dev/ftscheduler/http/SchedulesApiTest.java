package dev.ftscheduler.http;

import dev.ftscheduler.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

import static org.assertj.core.api.Assertions.assertThat;

/** /schedules: create, read, replace, delete; next_run_at; bad input; a tick makes a job. */
class SchedulesApiTest {

  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start(new JsonObject());
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static HttpResponse<String> put(String path, String body) {
    return app.send(app.request(path).PUT(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  @Test
  void aScheduleShowsItsNextRunInItsTimeZoneAndCanBeReplacedAndDeleted() {
    HttpResponse<String> created = app.post("/schedules",
        "{\"name\":\"morning\",\"cron\":\"0 9 * * *\",\"timezone\":\"Europe/Paris\",\"type\":\"noop\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    ZonedDateTime next = Instant.parse(new JsonObject(created.body()).getString("next_run_at")).atZone(ZoneId.of("Europe/Paris"));
    assertThat(next.getHour()).isEqualTo(9);
    assertThat(next.getMinute()).isZero();
    assertThat(next.toInstant()).isAfter(Instant.now()).isBefore(Instant.now().plusSeconds(25 * 3600));

    assertThat(app.post("/schedules", "{\"name\":\"morning\",\"cron\":\"@daily\",\"type\":\"noop\"}").statusCode())
        .as("the name is taken").isEqualTo(409);
    HttpResponse<String> replaced = put("/schedules/morning", "{\"cron\":\"@hourly\",\"type\":\"noop\",\"enabled\":false}");
    assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
    assertThat(new JsonObject(replaced.body()).getValue("next_run_at")).as("disabled: no next run").isNull();
    assertThat(new JsonObject(app.get("/schedules").body()).getJsonArray("schedules").stream()
        .map(schedule -> ((JsonObject) schedule).getString("name"))).contains("morning");
    assertThat(app.send(app.request("/schedules/morning").DELETE().build()).statusCode()).isEqualTo(204);
    assertThat(app.get("/schedules/morning").statusCode()).isEqualTo(404);
  }

  @Test
  void aDueTickMakesOneJob() {
    assertThat(app.post("/schedules", "{\"name\":\"tick\",\"cron\":\"* * * * *\",\"type\":\"noop\"}").statusCode())
        .isEqualTo(201);
    // as if the minute had come: the schedule is due now
    app.execute("UPDATE schedules SET next_run_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE name = 'tick'");
    TestApp.awaitCondition("the tick's job", () ->
        app.queryLong("SELECT COUNT(*) FROM jobs WHERE idempotency_key LIKE 'schedule:tick:%' AND status = 'SUCCESS'") == 1);
    assertThat(Instant.parse(new JsonObject(app.get("/schedules/tick").body()).getString("next_run_at")))
        .isAfter(Instant.now().minusSeconds(1));
  }

  @Test
  void badSchedulesNameTheField() {
    assertError("{\"name\":\"x\",\"cron\":\"61 * * * *\",\"type\":\"noop\"}", "invalid_cron");
    assertError("{\"name\":\"x\",\"cron\":\"* * *\",\"type\":\"noop\"}", "invalid_cron");
    assertError("{\"name\":\"x\",\"cron\":\"@hourly\",\"timezone\":\"Mars/Olympus\",\"type\":\"noop\"}", "invalid_timezone");
    assertError("{\"name\":\"x\",\"cron\":\"@hourly\",\"type\":\"nope\"}", "unknown_type");
    assertError("{\"name\":\"Bad Name\",\"cron\":\"@hourly\",\"type\":\"noop\"}", "invalid_name");
    assertError("{\"name\":\"x\",\"cron\":\"@hourly\",\"type\":\"noop\",\"queue\":\"A!\"}", "invalid_queue");
  }

  private static void assertError(String body, String error) {
    TestApp.assertBadRequest(app.post("/schedules", body), error, body);
  }
}
