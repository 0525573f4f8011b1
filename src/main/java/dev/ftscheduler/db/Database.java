package dev.ftscheduler.db;

import dev.ftscheduler.config.Dsn;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one connection pool of a process, with every session in UTC. */
public final class Database {

  private static final Logger log = LoggerFactory.getLogger(Database.class);
  private static final String UTC = "SET time_zone = '+00:00'";
  /**
   * The claim's SKIP LOCKED scan under REPEATABLE READ on MariaDB sometimes returns nothing while
   * another claim holds its rows; READ COMMITTED also takes no gap locks. Every write we make is a
   * single fenced statement or the claim transaction, so nothing needs a stronger level.
   */
  private static final String READ_COMMITTED = "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";

  private Database() {
  }

  public static Pool pool(Vertx vertx, Dsn dsn, int size) {
    return MySQLBuilder.pool()
        .with(new PoolOptions().setMaxSize(size).setName("ft-scheduler"))
        .connectingTo(dsn.connectOptions())
        .withConnectHandler(conn -> conn.query(UTC).execute()
            .compose(utc -> conn.query(READ_COMMITTED).execute())
            .onFailure(e -> log.warn("Could not set up a database session: {}", e.toString()))
            .onComplete(done -> conn.close()))
        .using(vertx)
        .build();
  }
}
