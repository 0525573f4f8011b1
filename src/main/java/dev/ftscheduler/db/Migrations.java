package dev.ftscheduler.db;

import dev.ftscheduler.config.Dsn;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** Creates the database if it is missing and applies {@code migrations/} with Flyway (blocking). */
public final class Migrations {

  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {
  }

  public static void apply(Dsn dsn) throws SQLException {
    createDatabaseIfMissing(dsn);
    MigrateResult result = Flyway.configure()
        .dataSource(dsn.jdbcUrl(), dsn.user(), dsn.password())
        .locations("classpath:db/migration")
        .load()
        .migrate();
    log.info("Database {} is at schema version {} ({} migration(s) applied now)",
        dsn, result.targetSchemaVersion == null ? result.initialSchemaVersion : result.targetSchemaVersion,
        result.migrationsExecuted);
  }

  private static void createDatabaseIfMissing(Dsn dsn) throws SQLException {
    if (!dsn.database().matches("[A-Za-z0-9_$]+")) {
      throw new IllegalArgumentException("database name '" + dsn.database() + "' has characters other than letters, digits, _ and $");
    }
    try (Connection connection = DriverManager.getConnection(dsn.jdbcServerUrl(), dsn.user(), dsn.password());
         Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE IF NOT EXISTS `" + dsn.database() + "` CHARACTER SET utf8mb4");
    } catch (SQLException e) {
      // A user without CREATE privilege on a database that already exists: Flyway says if it is missing.
      log.debug("Could not create database {}: {}", dsn.database(), e.getMessage());
    }
  }
}
