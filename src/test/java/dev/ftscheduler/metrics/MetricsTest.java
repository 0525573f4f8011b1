package dev.ftscheduler.metrics;

import dev.ftscheduler.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** /metrics after a known run: the counters hold exactly what happened. */
class MetricsTest {

  private static TestApp app;
  private static String metrics;

  @BeforeAll
  static void run() {
    app = TestApp.start(new JsonObject());
    app.awaitStatus(app.submit("{\"type\":\"noop\"}"), "SUCCESS");
    app.awaitStatus(app.submit("{\"type\":\"noop\"}"), "SUCCESS");
    app.awaitStatus(app.submit("{\"type\":\"fail\",\"payload\":{\"times\":1},\"max_attempts\":2}"), "SUCCESS");
    app.awaitStatus(app.submit("{\"type\":\"fail\",\"payload\":{\"times\":5},\"max_attempts\":1}"), "DEAD");
    HttpResponse<String> response = app.get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    metrics = response.body();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  /** The value of one sample line, e.g. {@code job_success_total{type="noop"}}. */
  private static double sample(String name, String labels) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{" + labels + "\\} (\\S+)$").matcher(metrics);
    assertThat(m.find()).as(name + "{" + labels + "} in\n" + metrics).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void jobCountersByType() {
    assertThat(sample("job_success_total", "type=\"noop\"")).isEqualTo(2);
    assertThat(sample("job_success_total", "type=\"fail\"")).isEqualTo(1);
    assertThat(sample("job_failure_total", "type=\"fail\"")).isEqualTo(2);
    assertThat(sample("job_retry_total", "type=\"fail\"")).isEqualTo(1);
    assertThat(sample("job_dead_total", "type=\"fail\"")).isEqualTo(1);
  }

  @Test
  void durationAndQueueLatencyHistograms() {
    assertThat(sample("job_duration_seconds_count", "outcome=\"success\",type=\"noop\"")).isEqualTo(2);
    assertThat(sample("job_duration_seconds_count", "outcome=\"failure\",type=\"fail\"")).isEqualTo(2);
    assertThat(metrics).contains("job_duration_seconds_bucket{");
    assertThat(sample("job_queue_latency_seconds_count", "type=\"noop\"")).isEqualTo(2);
    assertThat(metrics).containsPattern("job_claim_batch_size_count \\d+");
  }

  @Test
  void jobsByStatusFromTheDatabase() {
    assertThat(sample("scheduler_jobs", "queue=\"default\",status=\"SUCCESS\"")).isEqualTo(3);
    assertThat(sample("scheduler_jobs", "queue=\"default\",status=\"DEAD\"")).isEqualTo(1);
  }

  @Test
  void vertxReportsHttpServerAndPoolMetrics() {
    assertThat(metrics).contains("vertx_http_server_requests_total{").contains("vertx_pool_");
  }
}
