package dev.ftscheduler.config;

import io.vertx.mysqlclient.MySQLConnectOptions;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A MySQL connection string in either of the two accepted forms:
 * {@code mysql://user:pass@host:port/db} or the seed's Go-driver form
 * {@code user:pass@tcp(host:port)/db?parseTime=true}. Query parameters are accepted and ignored:
 * the scheduler sets what it needs (UTC session, prepared statement cache) itself.
 */
public record Dsn(String user, String password, String host, int port, String database) {

  private static final int DEFAULT_PORT = 3306;
  private static final Pattern URL_FORM =
      Pattern.compile("mysql://(?:([^:@/]*)(?::([^@/]*))?@)?([^:/?]+)(?::(\\d+))?/([^?/]+)(?:\\?.*)?");
  private static final Pattern GO_FORM =
      Pattern.compile("(?:([^:@]*)(?::(.*))?@)?tcp\\(([^:)]+)(?::(\\d+))?\\)/([^?/]+)(?:\\?.*)?");

  public static Dsn parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("DB_DSN is empty");
    }
    String dsn = text.trim();
    Matcher m = URL_FORM.matcher(dsn);
    boolean url = m.matches();
    if (!url) {
      m = GO_FORM.matcher(dsn);
      if (!m.matches()) {
        throw new IllegalArgumentException("DB_DSN '" + redact(dsn) + "' is neither mysql://user:pass@host:port/db"
            + " nor user:pass@tcp(host:port)/db");
      }
    }
    String user = m.group(1) == null || m.group(1).isEmpty() ? "root" : m.group(1);
    String password = m.group(2) == null ? "" : m.group(2);
    if (url) {
      user = URLDecoder.decode(user, StandardCharsets.UTF_8);
      password = URLDecoder.decode(password, StandardCharsets.UTF_8);
    }
    int port = m.group(4) == null ? DEFAULT_PORT : Integer.parseInt(m.group(4));
    return new Dsn(user, password, m.group(3), port, m.group(5));
  }

  /** The same server with another database: tests give each class a database of its own. */
  public Dsn withDatabase(String name) {
    return new Dsn(user, password, host, port, name);
  }

  public MySQLConnectOptions connectOptions() {
    return new MySQLConnectOptions()
        .setHost(host)
        .setPort(port)
        .setUser(user)
        .setPassword(password)
        .setDatabase(database)
        .setCharset("utf8mb4")
        .setCachePreparedStatements(true)
        .setPreparedStatementCacheMaxSize(256);
  }

  /** JDBC URL of the server without a default database, so the database can be created first. */
  public String jdbcServerUrl() {
    return "jdbc:mariadb://" + host + ":" + port + "/";
  }

  public String jdbcUrl() {
    return jdbcServerUrl() + database;
  }

  /** The {@code mysql://} form, password included: for handing to another process's DB_DSN. */
  public String toUrl() {
    String credentials = URLEncoder.encode(user, StandardCharsets.UTF_8)
        + (password.isEmpty() ? "" : ":" + URLEncoder.encode(password, StandardCharsets.UTF_8));
    return "mysql://" + credentials + "@" + host + ":" + port + "/" + database;
  }

  /** For logs: never print a password. */
  @Override
  public String toString() {
    return "mysql://" + user + (password.isEmpty() ? "" : ":***") + "@" + host + ":" + port + "/" + database;
  }

  private static String redact(String dsn) {
    return dsn.replaceAll(":[^:@/]*@", ":***@");
  }
}
