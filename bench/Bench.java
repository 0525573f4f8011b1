import dev.ftscheduler.config.Dsn;
import dev.ftscheduler.config.SchedulerConfig;
import dev.ftscheduler.db.EmbeddedDatabase;
import dev.ftscheduler.db.Migrations;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.core.http.PoolOptions;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * ft-scheduler's benchmarks: drain, submit, bulk submit, submit-to-start latency and resources, each
 * against scheduler processes of the built jar on a MariaDB (embedded under target/bench-db, or
 * DB_DSN). Prints a table and name=value lines. Run with bench/run.sh (see bench/README.md).
 *
 * Timings of the drain and latency come from the database clock (job_attempts.started_at and
 * finished_at, jobs.created_at), so they do not include process start-up.
 */
public class Bench {

  static final Path JAR = Path.of("target", "ft-scheduler.jar");
  static final Path LOGS = Path.of("target", "bench-logs");
  static final Map<String, String> results = new LinkedHashMap<>();
  static final List<String[]> table = new ArrayList<>();
  static Dsn server;
  static int counter;
  static boolean profile;
  /** The drain's WORKER_POOL_SIZE and JOB_QUEUE_SIZE: no-op jobs are async and cost no thread, so many run at once. */
  static String pool;
  static String queue;

  public static void main(String[] args) throws Exception {
    Map<String, String> options = options(args);
    int jobs = Integer.parseInt(options.getOrDefault("jobs", "20000"));
    int seconds = Integer.parseInt(options.getOrDefault("seconds", "10"));
    String only = options.getOrDefault("only", "drain,submit,bulk,latency");
    profile = options.containsKey("profile");
    pool = options.getOrDefault("pool", "1024");
    queue = options.getOrDefault("queue", "1000");
    Files.createDirectories(LOGS);
    server = database();
    System.out.printf("ft-scheduler benchmark: %d cores, database %s%n", Runtime.getRuntime().availableProcessors(),
        server);
    if (only.contains("drain")) {
      drain(jobs, 1);
      drain(jobs, 3);
    }
    if (only.contains("submit")) {
      submit(seconds, 64);
    }
    if (only.contains("bulk")) {
      bulk(seconds, 4, 1000);
    }
    if (only.contains("latency")) {
      latency(200, false);
      latency(200, true);
    }
    System.out.println();
    System.out.printf("%-44s %14s  %s%n", "benchmark", "result", "target");
    table.forEach(row -> System.out.printf("%-44s %14s  %s%n", row[0], row[1], row[2]));
    System.out.println();
    results.forEach((name, value) -> System.out.println(name + "=" + value));
    System.exit(0);
  }

  // --- benchmarks -------------------------------------------------------------------------

  /** N no-op jobs committed at once while the worker processes wait; jobs/s from first start to last finish. */
  static void drain(int jobs, int processes) throws Exception {
    Dsn dsn = freshDatabase();
    List<Proc> workers = new ArrayList<>();
    for (int i = 0; i < processes; i++) {
      Map<String, String> env = new HashMap<>(Map.of("DB_DSN", dsn.toUrl(), "ROLE", "worker", "WORKER_ID", "w" + i,
          "WORKER_POOL_SIZE", pool, "JOB_QUEUE_SIZE", queue,
          "DB_POOL_SIZE", "8", "POLL_INTERVAL_MS", "100"));
      if (profile && processes == 1) {
        // --profile: a JFR recording of the single-process drain, for `jfr print` or JDK Mission Control
        env.put("JAVA_TOOL_OPTIONS", "-XX:StartFlightRecording=settings=profile,filename=" + LOGS.resolve("drain1.jfr"));
      }
      workers.add(Proc.start("drain" + processes + "-w" + i, env));
    }
    // warm-up: a fifth as many jobs first, so the JIT has compiled the hot path; then measure afresh
    insertNoopJobs(dsn, jobs / 5);
    awaitCount(dsn, "SELECT COUNT(*) FROM jobs WHERE status = 'SUCCESS'", jobs / 5, 600);
    execute(dsn, "DELETE FROM jobs");
    execute(dsn, "DELETE FROM job_attempts");
    double cpuBefore = workers.get(0).cpuSeconds();
    insertNoopJobs(dsn, jobs);
    Map<String, Long> before = statementCounts(dsn);
    awaitCount(dsn, "SELECT COUNT(*) FROM jobs WHERE status = 'SUCCESS'", jobs, 600);
    double cpu = workers.get(0).cpuSeconds() - cpuBefore;
    Map<String, Long> after = statementCounts(dsn);
    String name = "drain_" + processes + "p";
    after.forEach((counter, value) -> results.put(name + "_" + counter.toLowerCase() + "_per_1000_jobs",
        String.format("%.1f", (value - before.get(counter)) * 1000.0 / jobs)));
    long rssKb = workers.get(0).peakRssKb();
    double span = queryDouble(dsn, "SELECT TIMESTAMPDIFF(MICROSECOND, MIN(started_at), MAX(finished_at)) / 1e6 FROM job_attempts");
    long attempts = queryLong(dsn, "SELECT COUNT(*) FROM job_attempts");
    for (Proc worker : workers) {
      worker.stop();
    }
    double rate = jobs / span;
    record(name + "_jobs_per_s", String.format("%.0f", rate),
        "drain " + jobs + " noop jobs, " + processes + " worker process(es)", processes == 1 ? ">= 10000 jobs/s" : "");
    results.put(name + "_attempts", String.valueOf(attempts));
    if (processes == 1) {
      record("drain_peak_rss_mb", String.format("%.0f", rssKb / 1024.0), "peak RSS of the worker process", "< 512 MB");
      record("drain_cpu_s_per_1000_jobs", String.format("%.3f", cpu / jobs * 1000), "CPU s per 1000 jobs (worker JVM)", "");
    }
    drop(dsn);
  }

  /** POST /jobs at a fixed concurrency against a ROLE=api process. */
  static void submit(int seconds, int concurrency) throws Exception {
    Dsn dsn = freshDatabase();
    int port = freePort();
    Proc api = Proc.start("submit-api", Map.of("DB_DSN", dsn.toUrl(), "ROLE", "api", "PORT", String.valueOf(port),
        "DB_POOL_SIZE", "16"));
    Buffer body = Buffer.buffer("{\"type\":\"noop\",\"payload\":{\"bench\":true}}");
    Load load = Load.run(port, "/jobs", body, concurrency, seconds);
    api.stop();
    record("submit_requests_per_s", String.format("%.0f", load.perSecond()), "POST /jobs, " + concurrency + " connections",
        ">= 5000 req/s");
    record("submit_p50_ms", String.format("%.1f", load.percentile(50)), "POST /jobs p50", "");
    record("submit_p99_ms", String.format("%.1f", load.percentile(99)), "POST /jobs p99", "< 50 ms");
    results.put("submit_errors", String.valueOf(load.errors.get()));
    drop(dsn);
  }

  /** POST /jobs/batch of {@code size} jobs at a fixed concurrency. */
  static void bulk(int seconds, int concurrency, int size) throws Exception {
    Dsn dsn = freshDatabase();
    int port = freePort();
    Proc api = Proc.start("bulk-api", Map.of("DB_DSN", dsn.toUrl(), "ROLE", "api", "PORT", String.valueOf(port)));
    JsonArray jobs = new JsonArray();
    for (int i = 0; i < size; i++) {
      jobs.add(new JsonObject().put("type", "noop").put("payload", new JsonObject().put("i", i)));
    }
    Load load = Load.run(port, "/jobs/batch", new JsonObject().put("jobs", jobs).toBuffer(), concurrency, seconds);
    api.stop();
    long stored = queryLong(dsn, "SELECT COUNT(*) FROM jobs");
    record("bulk_jobs_per_s", String.format("%.0f", load.perSecond() * size), "POST /jobs/batch of " + size + ", "
        + concurrency + " connections", ">= 50000 jobs/s");
    results.put("bulk_jobs_stored", String.valueOf(stored));
    drop(dsn);
  }

  /** Submit → start, on an idle system: created_at to the attempt's started_at, both from the database clock. */
  static void latency(int jobs, boolean separate) throws Exception {
    Dsn dsn = freshDatabase();
    int port = freePort();
    List<Proc> procs = new ArrayList<>();
    String poll = "1000";
    if (separate) {
      procs.add(Proc.start("latency-api", Map.of("DB_DSN", dsn.toUrl(), "ROLE", "api", "PORT", String.valueOf(port))));
      procs.add(Proc.start("latency-worker", Map.of("DB_DSN", dsn.toUrl(), "ROLE", "worker", "POLL_INTERVAL_MS", poll)));
    } else {
      procs.add(Proc.start("latency-all", Map.of("DB_DSN", dsn.toUrl(), "ROLE", "all", "PORT", String.valueOf(port),
          "POLL_INTERVAL_MS", poll)));
    }
    Vertx vertx = Vertx.vertx();
    WebClient client = WebClient.create(vertx);
    for (int i = 0; i < jobs; i++) {
      await(client.post(port, "127.0.0.1", "/jobs").sendBuffer(Buffer.buffer("{\"type\":\"noop\"}")));
      Thread.sleep(10 + (i * 7919L) % 40); // spread over the poll interval, like arrivals that do not wait for it
    }
    awaitCount(dsn, "SELECT COUNT(*) FROM jobs WHERE status = 'SUCCESS'", jobs, 120);
    double[] ms = latencies(dsn);
    vertx.close();
    for (Proc proc : procs) {
      proc.stop();
    }
    String name = separate ? "latency_separate" : "latency_one_process";
    String label = separate ? "submit->start, api + worker processes" : "submit->start, one process";
    record(name + "_p50_ms", String.format("%.1f", percentile(ms, 50)), label + " p50",
        separate ? "<= POLL_INTERVAL_MS/2 + 10 = 510 ms" : "<= 5 ms");
    record(name + "_p99_ms", String.format("%.1f", percentile(ms, 99)), label + " p99", "");
    results.put(name + "_poll_interval_ms", poll);
    drop(dsn);
  }

  // --- load generator ---------------------------------------------------------------------

  /** {@code concurrency} connections, each sending the next request when the last answered; 2 s of warm-up. */
  static final class Load {
    final List<Long> nanos = new ArrayList<>();
    final AtomicLong errors = new AtomicLong();
    long measuredNanos;

    static Load run(int port, String path, Buffer body, int concurrency, int seconds) throws Exception {
      Vertx vertx = Vertx.vertx();
      WebClient client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true),
          new PoolOptions().setHttp1MaxSize(concurrency));
      Load load = new Load();
      long warmUpEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      long end = warmUpEnd + TimeUnit.SECONDS.toNanos(seconds);
      List<Future<Void>> loops = new ArrayList<>();
      for (int i = 0; i < concurrency; i++) {
        Promise<Void> done = Promise.promise();
        vertx.runOnContext(v -> load.next(client, port, path, body, warmUpEnd, end, done));
        loops.add(done.future());
      }
      await(Future.all(loops));
      load.measuredNanos = end - warmUpEnd;
      vertx.close();
      return load;
    }

    void next(WebClient client, int port, String path, Buffer body, long warmUpEnd, long end, Promise<Void> done) {
      long start = System.nanoTime();
      if (start >= end) {
        done.complete();
        return;
      }
      client.post(port, "127.0.0.1", path).sendBuffer(body).onComplete(response -> {
        long now = System.nanoTime();
        if (start >= warmUpEnd) {
          if (response.succeeded() && response.result().statusCode() / 100 == 2) {
            synchronized (nanos) {
              nanos.add(now - start);
            }
          } else {
            errors.incrementAndGet();
          }
        }
        next(client, port, path, body, warmUpEnd, end, done);
      });
    }

    double perSecond() {
      return nanos.size() / (measuredNanos / 1e9);
    }

    double percentile(double p) {
      return Bench.percentile(nanos.stream().mapToDouble(n -> n / 1e6).toArray(), p);
    }
  }

  // --- processes --------------------------------------------------------------------------

  /** A scheduler process of the jar, its output in target/bench-logs. */
  static final class Proc {
    final Process process;
    final Path log;

    Proc(Process process, Path log) {
      this.process = process;
      this.log = log;
    }

    static Proc start(String name, Map<String, String> env) throws Exception {
      Path log = LOGS.resolve(name + ".log");
      ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-jar", JAR.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
      SchedulerConfig.KEYS.forEach(builder.environment()::remove);
      Map<String, String> settings = new HashMap<>(Map.of("PORT", String.valueOf(freePort())));
      settings.putAll(env);
      builder.environment().putAll(settings);
      Proc proc = new Proc(builder.start(), log);
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (!Files.readString(log).contains("ft-scheduler started")) {
        if (!proc.process.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException(name + " did not start:\n" + Files.readString(log));
        }
        Thread.sleep(50);
      }
      return proc;
    }

    /** User + system CPU seconds so far, from /proc. */
    double cpuSeconds() throws IOException {
      String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    }

    /** Peak resident set size (VmHWM), from /proc. */
    long peakRssKb() throws IOException {
      for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("\\D", ""));
        }
      }
      return -1;
    }

    void stop() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  // --- database ---------------------------------------------------------------------------

  static Dsn database() throws Exception {
    String dsn = System.getenv("DB_DSN");
    if (dsn != null && !dsn.isBlank()) {
      return Dsn.parse(dsn);
    }
    EmbeddedDatabase embedded = EmbeddedDatabase.start(Path.of("target", "bench-db"), 0);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        embedded.stop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    return embedded.dsn();
  }

  static Dsn freshDatabase() throws Exception {
    Dsn dsn = server.withDatabase("bench_" + ProcessHandle.current().pid() + "_" + (++counter));
    Migrations.apply(dsn);
    return dsn;
  }

  static void drop(Dsn dsn) throws SQLException {
    execute(dsn.withDatabase(""), "DROP DATABASE IF EXISTS `" + dsn.database() + "`");
  }

  /** N no-op jobs in one transaction, 1000 rows per insert: they all become due at one commit. */
  static void insertNoopJobs(Dsn dsn, int jobs) throws SQLException {
    try (Connection connection = connect(dsn)) {
      connection.setAutoCommit(false);
      for (int from = 0; from < jobs; from += 1000) {
        int rows = Math.min(1000, jobs - from);
        StringBuilder sql = new StringBuilder("INSERT INTO jobs (id, type, status, payload, attempts, max_attempts,"
            + " run_at, lease_token, created_at, updated_at) VALUES ");
        for (int i = 0; i < rows; i++) {
          sql.append(i == 0 ? "" : ", ").append("(?, 'noop', 'PENDING', '{}', 0, 3, UTC_TIMESTAMP(6), 0,"
              + " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))");
        }
        try (PreparedStatement insert = connection.prepareStatement(sql.toString())) {
          for (int i = 0; i < rows; i++) {
            insert.setString(i + 1, UUID.randomUUID().toString().replace("-", ""));
          }
          insert.executeUpdate();
        }
      }
      connection.commit();
    }
  }

  /** The server's statement counters: where the database's work goes (the bench's own queries included). */
  static Map<String, Long> statementCounts(Dsn dsn) throws SQLException {
    Map<String, Long> counts = new LinkedHashMap<>();
    try (Connection connection = connect(dsn); Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery("SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Com_select',"
             + " 'Com_update', 'Com_insert', 'Com_insert_select', 'Com_commit', 'Com_stmt_execute')")) {
      while (rows.next()) {
        counts.put(rows.getString(1), rows.getLong(2));
      }
    }
    return counts;
  }

  static double[] latencies(Dsn dsn) throws SQLException {
    List<Double> ms = new ArrayList<>();
    try (Connection connection = connect(dsn); Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery("SELECT TIMESTAMPDIFF(MICROSECOND, j.created_at, a.started_at) / 1000.0"
             + " FROM jobs j JOIN job_attempts a ON a.job_id = j.id AND a.attempt = 1")) {
      while (rows.next()) {
        ms.add(rows.getDouble(1));
      }
    }
    return ms.stream().mapToDouble(Double::doubleValue).toArray();
  }

  static void awaitCount(Dsn dsn, String sql, long expected, int timeoutSeconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (queryLong(dsn, sql) < expected) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + expected + " from " + sql);
      }
      Thread.sleep(100);
    }
  }

  static long queryLong(Dsn dsn, String sql) throws SQLException {
    return (long) queryDouble(dsn, sql);
  }

  static double queryDouble(Dsn dsn, String sql) throws SQLException {
    try (Connection connection = connect(dsn); Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getDouble(1);
    }
  }

  static void execute(Dsn dsn, String sql) throws SQLException {
    try (Connection connection = connect(dsn); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  static Connection connect(Dsn dsn) throws SQLException {
    return DriverManager.getConnection(dsn.jdbcServerUrl() + dsn.database(), dsn.user(), dsn.password());
  }

  // --- helpers ----------------------------------------------------------------------------

  static void record(String name, String value, String label, String target) {
    results.put(name, value);
    table.add(new String[] {label, value, target});
  }

  static double percentile(double[] values, double p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)];
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      boolean hasValue = i + 1 < args.length && !args[i + 1].startsWith("--");
      options.put(args[i].replaceFirst("^--", ""), hasValue ? args[++i] : "true");
    }
    return options;
  }
}
