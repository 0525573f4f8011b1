package dev.ftscheduler.http;

import dev.ftscheduler.Services;
import dev.ftscheduler.config.Dsn;
import dev.ftscheduler.config.SchedulerConfig;
import dev.ftscheduler.db.Database;
import dev.ftscheduler.db.Migrations;
import dev.ftscheduler.handler.JobHandlers;
import dev.ftscheduler.job.JobStore;
import dev.ftscheduler.metrics.SchedulerMetrics;
import dev.ftscheduler.testing.TestApp;
import dev.ftscheduler.testing.TestDatabase;
import dev.ftscheduler.tracing.Tracing;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAPI document and the routes the server really has are the same set, and it is served. */
class OpenApiTest {

  private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete");

  @SuppressWarnings("unchecked")
  private static Set<String> documented() throws Exception {
    try (InputStream in = OpenApiTest.class.getResourceAsStream("/openapi.yaml")) {
      Map<String, Object> paths = (Map<String, Object>) new Yaml().<Map<String, Object>>load(in).get("paths");
      Set<String> routes = new TreeSet<>();
      paths.forEach((path, item) -> ((Map<String, Object>) item).keySet().stream().filter(METHODS::contains)
          .forEach(method -> routes.add(method.toUpperCase() + " " + path)));
      return routes;
    }
  }

  @Test
  void everyRouteIsDocumentedAndEveryDocumentedRouteExists() throws Exception {
    Vertx vertx = Vertx.vertx();
    Dsn dsn = TestDatabase.freshDatabase();
    Migrations.apply(dsn);
    Pool pool = Database.pool(vertx, dsn, 2);
    int port = TestApp.freePort();
    SchedulerConfig config = SchedulerConfig.from(SchedulerConfig.defaults().put("PORT", port));
    HttpVerticle http = new HttpVerticle(new Services(new JobStore(pool), JobHandlers.load(), config,
        new SchedulerMetrics(SchedulerMetrics.newRegistry()), Tracing.OFF));
    try {
      TestApp.await(vertx.deployVerticle(http), Duration.ofSeconds(30));
      assertThat(new TreeSet<>(http.routes())).isEqualTo(documented());

      HttpResponse<String> served = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/openapi.yaml")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(served.statusCode()).isEqualTo(200);
      assertThat(served.body()).startsWith("openapi: 3");
    } finally {
      TestApp.await(vertx.close(), Duration.ofSeconds(30));
      TestDatabase.drop(dsn);
    }
  }
}
