package dev.ftscheduler.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.Vertx;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scheduler's metrics, in one Prometheus registry that Vert.x also reports its HTTP server,
 * event bus and SQL pool metrics to. Names follow Prometheus conventions once exported: the
 * counter {@code job.success} is scraped as {@code job_success_total}, the timer
 * {@code job.duration} as the histogram {@code job_duration_seconds}.
 */
public final class SchedulerMetrics {

  private final PrometheusMeterRegistry registry;
  private final Map<String, AtomicLong> jobsByStatus = new ConcurrentHashMap<>();

  public SchedulerMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /** A Vert.x builder that reports Vert.x's own metrics (HTTP server, pools, event bus) to {@code registry}. */
  public static VertxBuilder vertxBuilder(VertxOptions options, PrometheusMeterRegistry registry) {
    return Vertx.builder()
        .with(options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
        .withMetrics(new MicrometerMetricsFactory(registry));
  }

  /** The Prometheus text format of every metric. */
  public String scrape() {
    return registry.scrape();
  }

  public void succeeded(String type, Duration took) {
    counter("job.success", "Jobs that succeeded", type).increment();
    duration(type, "success", took);
  }

  /** A failed attempt: then either retried or dead. */
  public void failed(String type, Duration took, boolean dead) {
    counter("job.failure", "Attempts that failed", type).increment();
    counter(dead ? "job.dead" : "job.retry", dead ? "Jobs that went to the dead-letter queue (DEAD)"
        : "Failed attempts scheduled for a retry", type).increment();
    duration(type, "failure", took);
  }

  public void leaseLost(String type) {
    counter("job.lease.lost", "Attempts that lost their lease and wrote nothing", type).increment();
  }

  /** From when the job was due (run_at) to when a worker started it. */
  public void queued(String type, Duration waited) {
    Timer.builder("job.queue.latency").description("Time from a job's run_at to the start of its attempt")
        .tag("type", type).publishPercentileHistogram().register(registry)
        .record(waited.isNegative() ? Duration.ZERO : waited);
  }

  public void claimed(int jobs) {
    DistributionSummary.builder("job.claim.batch.size").description("Jobs leased by one claim")
        .publishPercentileHistogram().maximumExpectedValue(1000.0).register(registry).record(jobs);
  }

  /** Jobs by queue and status, from counts the caller refreshes (a cached query): queue → status → count. */
  public void jobsByQueueAndStatus(Map<String, Map<String, Long>> counts) {
    jobsByStatus.values().forEach(value -> value.set(0));
    counts.forEach((queue, byStatus) -> byStatus.forEach((status, count) ->
        jobsByStatus.computeIfAbsent(queue + "/" + status, key -> {
          AtomicLong value = new AtomicLong();
          Gauge.builder("scheduler.jobs", value, AtomicLong::get).description("Jobs in the database, by queue and status")
              .tag("queue", queue).tag("status", status).register(registry);
          return value;
        }).set(count)));
  }

  private Counter counter(String name, String description, String type) {
    return Counter.builder(name).description(description).tag("type", type).register(registry);
  }

  private void duration(String type, String outcome, Duration took) {
    Timer.builder("job.duration").description("Time a job's attempt took, by outcome").tag("type", type)
        .tag("outcome", outcome).publishPercentileHistogram().register(registry).record(took);
  }
}
