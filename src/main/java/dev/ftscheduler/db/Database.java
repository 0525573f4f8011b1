package dev.ftscheduler.db;

import dev.ftscheduler.config.Dsn;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/** The one connection pool of a process, with every session in UTC. */
public final class Database {

  private Database() {
  }

  public static Pool pool(Vertx vertx, Dsn dsn, int size) {
    return MySQLBuilder.pool()
        .with(new PoolOptions().setMaxSize(size).setName("ft-scheduler"))
        .connectingTo(dsn.connectOptions())
        .withConnectHandler(conn -> conn.query("SET time_zone = '+00:00'").execute()
            .onComplete(done -> conn.close()))
        .using(vertx)
        .build();
  }
}
