package dev.ftscheduler.handler.builtin;

import dev.ftscheduler.handler.JobContext;
import dev.ftscheduler.handler.JobHandler;
import dev.ftscheduler.handler.PermanentFailure;
import dev.ftscheduler.handler.RetryLater;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.net.URI;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * A webhook: {@code {"url", "method", "headers", "body", "timeout_ms"}}. Each request carries
 * {@code Idempotency-Key: <job_id>:http}, the same on every attempt, so a receiver that
 * deduplicates applies it once. 2xx is success; 5xx, timeouts and connection errors are retried;
 * 408 and 429 are retried no sooner than their {@code Retry-After}; any other 4xx is permanent
 * (the job goes to DEAD at once).
 */
public final class HttpHandler implements JobHandler {

  static final String STEP = "http";
  private static final long DEFAULT_TIMEOUT_MS = 10_000;
  private static final long MAX_TIMEOUT_MS = 600_000;
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
  /** One client per Vert.x instance; weak, so a closed instance's client goes with it. */
  private final Map<Vertx, WebClient> clients = new WeakHashMap<>();

  @Override
  public String type() {
    return "http";
  }

  @Override
  public void validate(JsonObject payload) {
    Request.of(payload);
  }

  /** The request's own timeout, plus a margin for recording the step. */
  @Override
  public Optional<Duration> defaultTimeout() {
    return Optional.of(Duration.ofMillis(MAX_TIMEOUT_MS + 5_000));
  }

  @Override
  public Future<Void> handle(JobContext ctx) {
    Request request = Request.of(ctx.payload());
    return ctx.externalStep(STEP, key -> send(client(ctx.vertx()), request, key)).mapEmpty();
  }

  private synchronized WebClient client(Vertx vertx) {
    return clients.computeIfAbsent(vertx, WebClient::create);
  }

  private static Future<Void> send(WebClient client, Request request, String idempotencyKey) {
    HttpRequest<Buffer> http = client.requestAbs(HttpMethod.valueOf(request.method), request.url)
        .timeout(request.timeoutMs)
        .putHeader("Idempotency-Key", idempotencyKey);
    request.headers.forEach(header -> http.putHeader(header.getKey(), String.valueOf(header.getValue())));
    Future<HttpResponse<Buffer>> sent;
    if (request.body == null) {
      sent = http.send();
    } else if (request.body instanceof String text) {
      sent = http.sendBuffer(Buffer.buffer(text));
    } else {
      sent = http.sendJson(request.body);
    }
    return sent.compose(response -> outcome(request, response));
  }

  private static Future<Void> outcome(Request request, HttpResponse<Buffer> response) {
    int status = response.statusCode();
    String what = request.method + " " + request.url + " answered " + status;
    if (status >= 200 && status < 300) {
      return Future.succeededFuture();
    }
    if (status == 408 || status == 429) {
      Optional<Duration> after = retryAfter(response.headers());
      return Future.failedFuture(after.<RuntimeException>map(d -> new RetryLater(what, d))
          .orElseGet(() -> new IllegalStateException(what)));
    }
    if (status >= 400 && status < 500) {
      return Future.failedFuture(new PermanentFailure(what));
    }
    return Future.failedFuture(what);
  }

  /** Retry-After as seconds or an HTTP date. */
  static Optional<Duration> retryAfter(MultiMap headers) {
    String value = headers.get("Retry-After");
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim()))));
    } catch (NumberFormatException notSeconds) {
      try {
        Duration until = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
        return Optional.of(until.isNegative() ? Duration.ZERO : until);
      } catch (DateTimeParseException notADate) {
        return Optional.empty();
      }
    }
  }

  /** The payload, checked: errors name the field. */
  private record Request(String url, String method, JsonObject headers, Object body, long timeoutMs) {

    static Request of(JsonObject payload) {
      Object url = payload.getValue("url");
      if (!(url instanceof String text) || !isHttpUrl(text)) {
        throw new IllegalArgumentException("payload.url must be an http:// or https:// URL");
      }
      Object method = payload.getValue("method", "POST");
      if (!(method instanceof String m) || !METHODS.contains(m.toUpperCase())) {
        throw new IllegalArgumentException("payload.method must be one of " + METHODS.stream().sorted().toList());
      }
      Object headers = payload.getValue("headers", new JsonObject());
      if (!(headers instanceof JsonObject h) || h.stream().anyMatch(e -> !(e.getValue() instanceof String))) {
        throw new IllegalArgumentException("payload.headers must be an object of strings");
      }
      long timeoutMs = payload.containsKey("timeout_ms")
          ? Payloads.nonNegativeLong(payload, "timeout_ms", MAX_TIMEOUT_MS)
          : DEFAULT_TIMEOUT_MS;
      return new Request(text, m.toUpperCase(), h, payload.getValue("body"), Math.max(1, timeoutMs));
    }

    private static boolean isHttpUrl(String text) {
      try {
        URI uri = URI.create(text);
        return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
  }
}
