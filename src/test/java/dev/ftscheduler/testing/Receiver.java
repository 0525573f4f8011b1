package dev.ftscheduler.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver on loopback that counts requests by {@code Idempotency-Key}. Paths script its
 * answers: {@code /ok}, {@code /fail-once} (500, then 200), {@code /gone} (404),
 * {@code /busy-once} (429 with {@code Retry-After: 1}, then 200); {@code ?delay_ms=N} answers late.
 */
public final class Receiver implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final Map<String, AtomicInteger> requestsByKey = new ConcurrentHashMap<>();
  private final HttpServer server;

  public Receiver() {
    server = TestApp.await(vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1"),
        Duration.ofSeconds(10));
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  /** How many requests came with this key. */
  public int requests(String key) {
    AtomicInteger count = requestsByKey.get(key);
    return count == null ? 0 : count.get();
  }

  public Map<String, AtomicInteger> requestsByKey() {
    return requestsByKey;
  }

  private void handle(HttpServerRequest request) {
    String key = request.getHeader("Idempotency-Key");
    int seen = requestsByKey.computeIfAbsent(String.valueOf(key), k -> new AtomicInteger()).incrementAndGet();
    String delay = request.getParam("delay_ms");
    long delayMs = delay == null ? 0 : Long.parseLong(delay);
    request.body().onComplete(body -> vertx.setTimer(Math.max(1, delayMs), id -> {
      switch (request.path()) {
        case "/ok" -> request.response().setStatusCode(200).end("ok");
        case "/fail-once" -> request.response().setStatusCode(seen == 1 ? 500 : 200).end();
        case "/gone" -> request.response().setStatusCode(404).end();
        case "/busy-once" -> {
          if (seen == 1) {
            request.response().setStatusCode(429).putHeader("Retry-After", "1").end();
          } else {
            request.response().setStatusCode(200).end();
          }
        }
        default -> request.response().setStatusCode(400).end("unknown path");
      }
    }));
  }

  @Override
  public void close() {
    TestApp.await(vertx.close(), Duration.ofSeconds(10));
  }
}
