package dev.ftscheduler;

import dev.ftscheduler.config.Dsn;
import dev.ftscheduler.testing.SchedulerProcess;
import dev.ftscheduler.testing.TestApp;
import dev.ftscheduler.testing.TestDatabase;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The fat jar, launched as an operator launches it: with the shipped config file, overridden by env. */
class JarLaunchIT {

  private final Dsn dsn = TestDatabase.freshDatabase();

  @AfterEach
  void drop() {
    TestDatabase.drop(dsn);
  }

  @Test
  void runsWithTheShippedConfigFileAndEnvOverridesAndStopsCleanlyOnSigterm() throws Exception {
    int port = TestApp.freePort();
    // the seed's Go-driver DSN form, as its users have it
    String goDsn = dsn.user() + ":" + dsn.password() + "@tcp(" + dsn.host() + ":" + dsn.port() + ")/" + dsn.database()
        + "?parseTime=true";
    Map<String, String> env = Map.of("DB_DSN", goDsn, "PORT", String.valueOf(port), "POLL_INTERVAL_MS", "100",
        "WORKER_ID", "jar-worker");
    try (SchedulerProcess scheduler = SchedulerProcess.startJar("jar-launch", env, "-conf", "conf/config.json")) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/jobs"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"demo\",\"payload\":{\"msg\":\"from the jar\"}}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      String id = new JsonObject(created.body()).getString("id");
      TestApp.awaitCondition("the job to succeed", () -> {
        try {
          JsonObject job = new JsonObject(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/jobs/" + id))
              .build(), HttpResponse.BodyHandlers.ofString()).body());
          return "SUCCESS".equals(job.getString("status")) && "jar-worker".equals(job.getString("worker_id"));
        } catch (Exception e) {
          return false;
        }
      });
      assertThat(scheduler.terminate(Duration.ofSeconds(30))).isZero();
      assertThat(scheduler.output()).contains("role all, worker id jar-worker").contains("from the jar");
    }
  }

  @Test
  void logFormatJsonWritesOneJsonObjectPerLine() throws Exception {
    int port = TestApp.freePort();
    Map<String, String> env = Map.of("DB_DSN", dsn.toUrl(), "PORT", String.valueOf(port), "LOG_FORMAT", "json");
    try (SchedulerProcess scheduler = SchedulerProcess.startJar("json-logs", env)) {
      assertThat(scheduler.terminate(Duration.ofSeconds(30))).isZero();
      List<String> lines = scheduler.output().lines().filter(line -> !line.isBlank()).toList();
      assertThat(lines).isNotEmpty();
      for (String line : lines) {
        JsonObject json = new JsonObject(line);
        assertThat(json.getString("level")).isNotBlank();
        assertThat(json.getString("loggerName")).isNotBlank();
      }
      assertThat(lines).anySatisfy(line -> assertThat(new JsonObject(line).getString("formattedMessage"))
          .contains("ft-scheduler started"));
    }
  }
}
