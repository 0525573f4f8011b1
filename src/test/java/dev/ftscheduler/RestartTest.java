package dev.ftscheduler;

import dev.ftscheduler.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The default set-up: no DB_DSN, so an embedded MariaDB with its data in DATA_DIR, kept across restarts. */
class RestartTest {

  @TempDir
  Path dataDir;

  private JsonObject embeddedConfig() {
    return TestApp.testConfig().put("DATA_DIR", dataDir.toString()).put("EMBEDDED_DB_PORT", 0);
  }

  @Test
  void jobsSurviveARestartOnTheEmbeddedDatabase() {
    String finished;
    String pending;
    // an hour of backoff: the failed job is still waiting for its retry when the process stops
    JsonObject slowRetries = embeddedConfig().put("BACKOFF_BASE_MS", 3_600_000).put("BACKOFF_MAX_MS", 3_600_000);
    try (TestApp first = TestApp.start(slowRetries, null, false)) {
      finished = first.submit("{\"type\":\"demo\",\"payload\":{\"msg\":\"before restart\"}}");
      first.awaitStatus(finished, "SUCCESS");
      pending = first.submit("{\"type\":\"fail\",\"payload\":{\"times\":1},\"max_attempts\":2}");
      TestApp.awaitCondition("the first attempt to fail", () -> first.job(pending).containsKey("last_error"));
    }
    assertThat(Files.isDirectory(dataDir.resolve("mariadb/data/scheduler"))).isTrue();

    try (TestApp second = TestApp.start(embeddedConfig(), null, false)) {
      JsonObject job = second.job(finished);
      assertThat(job.getString("status")).isEqualTo("SUCCESS");
      assertThat(job.getJsonObject("payload").getString("msg")).isEqualTo("before restart");
      JsonObject waiting = second.job(pending);
      assertThat(waiting.getString("status")).isEqualTo("PENDING");
      assertThat(waiting.getInteger("attempts")).isEqualTo(1);
      String after = second.submit("{\"type\":\"noop\"}");
      second.awaitStatus(after, "SUCCESS");
    }
  }
}
