package dev.ftscheduler.config;

import dev.ftscheduler.testing.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchedulerConfigTest {

  private static final Vertx vertx = Vertx.vertx();

  @AfterAll
  static void close() {
    vertx.close();
  }

  private static SchedulerConfig load(JsonObject file, Map<String, String> env) {
    return TestApp.await(SchedulerConfig.load(vertx, file, env), Duration.ofSeconds(10));
  }

  @Test
  void defaultsAreTheSeeds() {
    SchedulerConfig config = SchedulerConfig.from(SchedulerConfig.defaults());
    assertThat(config.dsn()).isEmpty();
    assertThat(config.port()).isEqualTo(8086);
    assertThat(config.pollIntervalMs()).isEqualTo(5000);
    assertThat(config.leaseSeconds()).isEqualTo(30);
    assertThat(config.workerPoolSize()).isEqualTo(10);
    assertThat(config.jobQueueSize()).isEqualTo(100);
    assertThat(config.backoffBaseMs()).isEqualTo(1000);
    assertThat(config.backoffMaxMs()).isEqualTo(60000);
    assertThat(config.backoffJitter()).isEqualTo(0.1);
    assertThat(config.failRate()).isZero();
    assertThat(config.role()).isEqualTo(Role.ALL);
    assertThat(config.dataDir()).isEqualTo(Path.of("./data"));
  }

  @Test
  void fileOverridesDefaultsAndEnvOverridesFile() {
    SchedulerConfig config = load(new JsonObject().put("PORT", 9000).put("LEASE_SECONDS", 12).put("ROLE", "worker"),
        Map.of("LEASE_SECONDS", "7", "FAIL_RATE", "0.5", "UNRELATED", "x"));
    assertThat(config.port()).isEqualTo(9000);          // file
    assertThat(config.leaseSeconds()).isEqualTo(7);     // env beats file
    assertThat(config.failRate()).isEqualTo(0.5);       // env
    assertThat(config.role()).isEqualTo(Role.WORKER);   // file
    assertThat(config.pollIntervalMs()).isEqualTo(5000); // default
  }

  @Test
  void theShippedConfigFileListsEveryKeyWithItsDefault() throws Exception {
    JsonObject shipped = new JsonObject(Files.readString(Path.of(SchedulerConfig.DEFAULT_CONFIG_FILE)));
    assertThat(shipped.fieldNames()).containsExactlyInAnyOrderElementsOf(SchedulerConfig.KEYS);
    JsonObject withoutComputed = shipped.copy();
    withoutComputed.remove("DB_DSN");
    withoutComputed.remove("WORKER_ID");
    assertThat(withoutComputed).isEqualTo(SchedulerConfig.defaults());
  }

  @Test
  void workerIdDefaultsToHostAndPid() {
    SchedulerConfig config = load(new JsonObject(), Map.of());
    assertThat(config.workerId()).endsWith("-" + ProcessHandle.current().pid());
    assertThat(load(new JsonObject(), Map.of("WORKER_ID", "w7")).workerId()).isEqualTo("w7");
  }

  @Test
  void badValuesFailWithTheKeyNamed() {
    assertThatThrownBy(() -> load(new JsonObject(), Map.of("PORT", "http")))
        .hasMessageContaining("PORT must be an integer; got 'http'");
    assertThatThrownBy(() -> load(new JsonObject(), Map.of("ROLE", "boss")))
        .hasMessageContaining("ROLE must be one of all, api, worker");
    assertThatThrownBy(() -> load(new JsonObject(), Map.of("FAIL_RATE", "2")))
        .hasMessageContaining("FAIL_RATE must be between");
    assertThatThrownBy(() -> load(new JsonObject(), Map.of("BACKOFF_BASE_MS", "5000", "BACKOFF_MAX_MS", "10")))
        .hasMessageContaining("BACKOFF_MAX_MS");
    assertThatThrownBy(() -> load(new JsonObject(), Map.of("DB_DSN", "nonsense")))
        .hasMessageContaining("DB_DSN");
  }
}
