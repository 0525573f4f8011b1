package dev.ftscheduler.deploy;

import dev.ftscheduler.config.SchedulerConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deploy files, checked without a Docker engine: the compose file sets only settings the
 * scheduler reads, gives running jobs time to finish, and the image runs java as PID 1.
 * ({@code .ci/run} also validates the compose file with {@code docker-compose config}.)
 */
class DeployFilesTest {

  @SuppressWarnings("unchecked")
  private static Map<String, Object> service(String name) throws Exception {
    Map<String, Object> compose = new Yaml().load(Files.readString(Path.of("deploy", "docker-compose.yml")));
    return (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get(name);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> environment(String service) throws Exception {
    return (Map<String, Object>) service(service).get("environment");
  }

  @Test
  void everyVariableTheComposeFileSetsIsOneTheSchedulerReads() throws Exception {
    for (String service : new String[] {"api", "worker"}) {
      assertThat(environment(service).keySet()).as(service).isNotEmpty().isSubsetOf(SchedulerConfig.KEYS);
    }
    assertThat(environment("api")).containsEntry("ROLE", "api");
    assertThat(environment("worker")).containsEntry("ROLE", "worker").doesNotContainKey("WORKER_ID");
  }

  @Test
  void theComposeDsnAndSettingsAreValid() throws Exception {
    for (String service : new String[] {"api", "worker"}) {
      JsonObject merged = SchedulerConfig.defaults();
      environment(service).forEach((key, value) -> merged.put(key, String.valueOf(value)));
      SchedulerConfig config = SchedulerConfig.from(merged);
      assertThat(config.dsn()).isPresent();
      assertThat(config.dsn().get().host()).isEqualTo("mysql");
    }
  }

  @Test
  void stopGracePeriodOutlastsTheShutdownTimeout() throws Exception {
    for (String service : new String[] {"api", "worker"}) {
      String grace = String.valueOf(service(service).get("stop_grace_period"));
      assertThat(grace).matches("\\d+s");
      long graceMs = Long.parseLong(grace.replace("s", "")) * 1000;
      assertThat(graceMs).isGreaterThan(Long.parseLong(String.valueOf(environment(service).get("SHUTDOWN_TIMEOUT_MS"))));
    }
  }

  @Test
  void theImageRunsJavaAsPidOneAsANonRootUserWithAHealthCheck() throws Exception {
    String dockerfile = Files.readString(Path.of("deploy", "Dockerfile"));
    assertThat(dockerfile).containsPattern("(?m)^ENTRYPOINT \\[\"java\",")
        .containsPattern("(?m)^USER scheduler$")
        .containsPattern("(?m)^HEALTHCHECK .*")
        .contains("/readyz")
        .containsPattern("(?m)^FROM .* AS build$");
  }

  @Test
  void theDashboardQueriesOnlyDocumentedMetrics() throws Exception {
    JsonObject dashboard = new JsonObject(Files.readString(Path.of("deploy", "grafana", "dashboards", "ft-scheduler.json")));
    String readme = Files.readString(Path.of("README.md"));
    List<String> exprs = dashboard.getJsonArray("panels").stream()
        .flatMap(panel -> ((JsonObject) panel).getJsonArray("targets").stream())
        .map(target -> ((JsonObject) target).getString("expr")).toList();
    assertThat(exprs).hasSizeGreaterThanOrEqualTo(5);
    Matcher metric = Pattern.compile("\\b((?:job|scheduler|vertx)_[a-z_]+)").matcher(String.join("\n", exprs));
    int found = 0;
    while (metric.find()) {
      String name = metric.group(1).replaceAll("_(bucket|sum|count)$", "");
      assertThat(readme).as("README documents " + name).contains("`" + name + "`");
      found++;
    }
    assertThat(found).isGreaterThanOrEqualTo(5);
  }

  @Test
  void prometheusScrapesTheSchedulerPort() throws Exception {
    String prometheus = Files.readString(Path.of("deploy", "prometheus.yml"));
    assertThat(prometheus).contains("api:8086").contains("port: 8086");
  }
}
