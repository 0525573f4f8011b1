package dev.ftscheduler.testing;

import dev.ftscheduler.config.SchedulerConfig;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The built jar, run as a separate JVM the way an operator runs it, with its output in target/it-logs. */
public final class SchedulerProcess implements AutoCloseable {

  private static final Path JAR = Path.of("target", "ft-scheduler.jar");
  private final Process process;
  private final Path log;
  private final int port;

  private SchedulerProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /**
   * Starts {@code java -jar target/ft-scheduler.jar args...} with {@code env} as its only scheduler
   * settings (the test machine's own are removed) and waits until {@code /healthz} answers on
   * the env's PORT.
   */
  public static SchedulerProcess start(String name, Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(javaBinary(), "-jar", JAR.toString()));
    command.addAll(List.of(args));
    Path logs = Files.createDirectories(Path.of("target", "it-logs"));
    Path log = logs.resolve(name + ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    SchedulerConfig.KEYS.forEach(builder.environment()::remove);
    builder.environment().putAll(env);
    SchedulerProcess started = new SchedulerProcess(builder.start(), log, Integer.parseInt(env.get("PORT")));
    started.awaitHealthy();
    return started;
  }

  public int port() {
    return port;
  }

  public String output() throws IOException {
    return Files.readString(log);
  }

  private void awaitHealthy() throws IOException {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
        .timeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the scheduler exited with " + process.exitValue() + ":\n" + output());
      }
      try {
        if (http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      sleep(100);
    }
    process.destroyForcibly();
    throw new IllegalStateException("the scheduler did not become healthy:\n" + output());
  }

  /** SIGTERM, then the exit code; fails if the process takes longer than {@code timeout}. */
  public int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError("the scheduler did not exit within " + timeout + " of SIGTERM");
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor();
    }
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
