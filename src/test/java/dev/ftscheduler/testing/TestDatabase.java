package dev.ftscheduler.testing;

import dev.ftscheduler.config.Dsn;
import dev.ftscheduler.db.EmbeddedDatabase;
import org.testcontainers.mysql.MySQLContainer;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The database server of a test run, started once per JVM:
 * <ul>
 *   <li>{@code TEST_DB_DSN} set: that server (any MySQL 8 or MariaDB 10.6+);
 *   <li>{@code TEST_DB=testcontainers}: a MySQL 8 container (needs Docker);
 *   <li>otherwise: an embedded MariaDB under {@code target/test-mariadb}.
 * </ul>
 * Each test class gets a database of its own on it, dropped when the class is done.
 */
public final class TestDatabase {

  private static final AtomicInteger counter = new AtomicInteger();
  private static final Path EMBEDDED_DIR = Path.of("target", "test-mariadb");
  private static Dsn server;
  private static EmbeddedDatabase embedded;

  private TestDatabase() {
  }

  /** A new, empty database name on the test server; the scheduler creates and migrates it. */
  public static Dsn freshDatabase() {
    return server().withDatabase("ftstest_" + ProcessHandle.current().pid() + "_" + counter.incrementAndGet());
  }

  public static void drop(Dsn dsn) {
    execute(dsn.withDatabase(""), "DROP DATABASE IF EXISTS `" + dsn.database() + "`");
  }

  public static void execute(Dsn dsn, String sql) {
    try (Connection connection = connect(dsn); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** A single number from SQL, e.g. a count. */
  public static long queryLong(Dsn dsn, String sql, Object... params) {
    try (Connection connection = connect(dsn); PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        statement.setObject(i + 1, params[i]);
      }
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  public static Connection connect(Dsn dsn) throws SQLException {
    return DriverManager.getConnection(dsn.jdbcServerUrl() + dsn.database(), dsn.user(), dsn.password());
  }

  private static synchronized Dsn server() {
    if (server == null) {
      server = start();
    }
    return server;
  }

  private static Dsn start() {
    String dsn = System.getenv("TEST_DB_DSN");
    if (dsn != null && !dsn.isBlank()) {
      return Dsn.parse(dsn);
    }
    if ("testcontainers".equalsIgnoreCase(System.getenv("TEST_DB"))) {
      MySQLContainer mysql = new MySQLContainer("mysql:8.4");
      mysql.start();
      Runtime.getRuntime().addShutdownHook(new Thread(mysql::stop));
      return new Dsn("root", mysql.getPassword(), mysql.getHost(), mysql.getMappedPort(3306), "test");
    }
    try {
      embedded = EmbeddedDatabase.start(EMBEDDED_DIR, 0);
      Runtime.getRuntime().addShutdownHook(new Thread(TestDatabase::stopEmbedded));
      return embedded.dsn();
    } catch (Exception e) {
      throw new IllegalStateException("could not start the embedded test database", e);
    }
  }

  /** Whether the tests run on the embedded server, which they can stop and start. */
  public static synchronized boolean isEmbedded() {
    server();
    return embedded != null;
  }

  /** Stops the embedded server, keeps it down for {@code downtime}, and starts it again on the same port and data. */
  public static synchronized void restartEmbedded(Duration downtime) throws Exception {
    int port = embedded.dsn().port();
    embedded.stop();
    Thread.sleep(downtime.toMillis()); // the outage itself: there is nothing to wait for
    embedded = EmbeddedDatabase.start(EMBEDDED_DIR, port);
  }

  private static synchronized void stopEmbedded() {
    try {
      embedded.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
