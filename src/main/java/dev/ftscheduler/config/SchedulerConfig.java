package dev.ftscheduler.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every setting of the scheduler. Keys are the environment variable names, in the config file
 * too. Precedence: built-in defaults &lt; config file (the {@code -conf} file, else
 * {@code conf/config.json} when present) &lt; environment.
 */
public record SchedulerConfig(
    Optional<Dsn> dsn,
    int port,
    String workerId,
    long pollIntervalMs,
    int leaseSeconds,
    int workerPoolSize,
    int jobQueueSize,
    long backoffBaseMs,
    long backoffMaxMs,
    double backoffJitter,
    double failRate,
    Role role,
    Path dataDir,
    long shutdownTimeoutMs,
    int dbPoolSize,
    int embeddedDbPort,
    int maxBodyBytes,
    int defaultMaxAttempts,
    long jobTimeoutMs,
    Duration retentionSuccess,
    Duration retentionDead,
    long retentionIntervalMs,
    List<QueueConfig> queues) {

  public static final String DEFAULT_CONFIG_FILE = "conf/config.json";
  public static final int MAX_ATTEMPTS_LIMIT = 1000;
  public static final int MAX_TIMEOUT_MS = 86_400_000;
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(d|h|m|s|ms)?");

  /** Built-in defaults: the seed's, plus ours. DB_DSN and WORKER_ID have computed defaults. */
  public static JsonObject defaults() {
    return new JsonObject()
        .put("PORT", 8086)
        .put("POLL_INTERVAL_MS", 5000)
        .put("LEASE_SECONDS", 30)
        .put("WORKER_POOL_SIZE", 10)
        .put("JOB_QUEUE_SIZE", 100)
        .put("BACKOFF_BASE_MS", 1000)
        .put("BACKOFF_MAX_MS", 60000)
        .put("BACKOFF_JITTER", 0.1)
        .put("FAIL_RATE", 0.0)
        .put("ROLE", "all")
        .put("DATA_DIR", "./data")
        .put("SHUTDOWN_TIMEOUT_MS", 30000)
        .put("DB_POOL_SIZE", 10)
        .put("EMBEDDED_DB_PORT", 3307)
        .put("MAX_BODY_BYTES", 1048576)
        .put("DEFAULT_MAX_ATTEMPTS", 3)
        .put("JOB_TIMEOUT_MS", 300000)
        .put("RETENTION_SUCCESS", "7d")
        .put("RETENTION_DEAD", "30d")
        .put("RETENTION_INTERVAL_MS", 60000)
        .put("QUEUES", "");
  }

  /** Every key the scheduler reads; anything else in the environment is ignored. */
  public static final List<String> KEYS = List.of(
      "DB_DSN", "PORT", "WORKER_ID", "POLL_INTERVAL_MS", "LEASE_SECONDS", "WORKER_POOL_SIZE",
      "JOB_QUEUE_SIZE", "BACKOFF_BASE_MS", "BACKOFF_MAX_MS", "BACKOFF_JITTER", "FAIL_RATE", "ROLE",
      "DATA_DIR", "SHUTDOWN_TIMEOUT_MS", "DB_POOL_SIZE", "EMBEDDED_DB_PORT", "MAX_BODY_BYTES",
      "DEFAULT_MAX_ATTEMPTS", "JOB_TIMEOUT_MS", "RETENTION_SUCCESS", "RETENTION_DEAD", "RETENTION_INTERVAL_MS",
      "QUEUES");

  /**
   * Merges defaults, the config file and the environment with vertx-config.
   *
   * @param fileConfig the {@code -conf} JSON given to the main verticle; empty means "read
   *     {@code conf/config.json} if it exists"
   */
  public static Future<SchedulerConfig> load(Vertx vertx, JsonObject fileConfig, Map<String, String> env) {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions()
        .setIncludeDefaultStores(false)
        .setScanPeriod(-1)
        .addStore(jsonStore(defaults()));
    if (fileConfig != null && !fileConfig.isEmpty()) {
      options.addStore(jsonStore(fileConfig));
    } else if (Files.isRegularFile(Path.of(DEFAULT_CONFIG_FILE))) {
      options.addStore(new ConfigStoreOptions().setType("file").setFormat("json")
          .setConfig(new JsonObject().put("path", DEFAULT_CONFIG_FILE)));
    }
    JsonObject fromEnv = new JsonObject();
    KEYS.forEach(key -> {
      String value = env.get(key);
      if (value != null && !value.isEmpty()) {
        fromEnv.put(key, value);
      }
    });
    options.addStore(jsonStore(fromEnv));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig()
        .eventually(retriever::close)
        .compose(merged -> {
          try {
            return Future.succeededFuture(from(merged));
          } catch (IllegalArgumentException e) {
            return Future.failedFuture(new IllegalArgumentException("Invalid configuration: " + e.getMessage(), e));
          }
        });
  }

  /** Reads and validates a merged configuration; values may be JSON numbers or strings. */
  public static SchedulerConfig from(JsonObject c) {
    String dsnText = string(c, "DB_DSN", "");
    String workerId = string(c, "WORKER_ID", "");
    SchedulerConfig config = new SchedulerConfig(
        dsnText.isBlank() ? Optional.empty() : Optional.of(Dsn.parse(dsnText)),
        intIn(c, "PORT", 0, 65535),
        workerId.isBlank() ? defaultWorkerId() : workerId,
        longIn(c, "POLL_INTERVAL_MS", 1, 3_600_000),
        intIn(c, "LEASE_SECONDS", 1, 86_400),
        intIn(c, "WORKER_POOL_SIZE", 1, 10_000),
        intIn(c, "JOB_QUEUE_SIZE", 1, 1_000_000),
        longIn(c, "BACKOFF_BASE_MS", 0, 86_400_000),
        longIn(c, "BACKOFF_MAX_MS", 0, 7 * 86_400_000L),
        doubleIn(c, "BACKOFF_JITTER", 0, 1),
        doubleIn(c, "FAIL_RATE", 0, 1),
        Role.parse(string(c, "ROLE", "all")),
        Path.of(string(c, "DATA_DIR", "./data")),
        longIn(c, "SHUTDOWN_TIMEOUT_MS", 0, 3_600_000),
        intIn(c, "DB_POOL_SIZE", 1, 1000),
        intIn(c, "EMBEDDED_DB_PORT", 0, 65535),
        intIn(c, "MAX_BODY_BYTES", 1024, 1 << 30),
        intIn(c, "DEFAULT_MAX_ATTEMPTS", 1, MAX_ATTEMPTS_LIMIT),
        longIn(c, "JOB_TIMEOUT_MS", 1, MAX_TIMEOUT_MS),
        duration(c, "RETENTION_SUCCESS"),
        duration(c, "RETENTION_DEAD"),
        longIn(c, "RETENTION_INTERVAL_MS", 100, 86_400_000),
        QueueConfig.parse(string(c, "QUEUES", ""), intIn(c, "WORKER_POOL_SIZE", 1, 10_000)));
    if (config.backoffMaxMs < config.backoffBaseMs) {
      throw new IllegalArgumentException("BACKOFF_MAX_MS (" + config.backoffMaxMs
          + ") must not be below BACKOFF_BASE_MS (" + config.backoffBaseMs + ")");
    }
    return config;
  }

  /** Host name and pid: unique per process, so replicas never share a worker id. */
  static String defaultWorkerId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = Optional.ofNullable(System.getenv("HOSTNAME")).orElse("worker");
    }
    return host + "-" + ProcessHandle.current().pid();
  }

  /** A duration such as 7d, 12h, 30m, 45s or 500ms; 0 keeps jobs for ever. */
  private static Duration duration(JsonObject c, String key) {
    String text = string(c, key, "").trim();
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(key + " must be a duration such as 7d, 12h, 30m, 45s, 500ms or 0; got '" + text + "'");
    }
    long amount = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2);
    return switch (unit) {
      case "d" -> Duration.ofDays(amount);
      case "h" -> Duration.ofHours(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "ms" -> Duration.ofMillis(amount);
      default -> {
        if (amount != 0) {
          throw new IllegalArgumentException(key + " needs a unit (d, h, m, s, ms); got '" + text + "'");
        }
        yield Duration.ZERO;
      }
    };
  }

  private static ConfigStoreOptions jsonStore(JsonObject json) {
    return new ConfigStoreOptions().setType("json").setConfig(json);
  }

  private static String string(JsonObject c, String key, String fallback) {
    Object value = c.getValue(key);
    return value == null ? fallback : value.toString();
  }

  private static int intIn(JsonObject c, String key, int min, int max) {
    return inRange(c, key, Long::parseLong, "an integer", (long) min, (long) max).intValue();
  }

  private static long longIn(JsonObject c, String key, long min, long max) {
    return inRange(c, key, Long::parseLong, "an integer", min, max);
  }

  private static double doubleIn(JsonObject c, String key, double min, double max) {
    return inRange(c, key, Double::parseDouble, "a number", min, max);
  }

  private static <T extends Comparable<T>> T inRange(JsonObject c, String key, Function<String, T> parse, String kind,
      T min, T max) {
    String text = string(c, key, "").trim();
    T value;
    try {
      value = parse.apply(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be " + kind + "; got '" + text + "'");
    }
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(key + " must be between " + min + " and " + max + "; got " + text);
    }
    return value;
  }
}
