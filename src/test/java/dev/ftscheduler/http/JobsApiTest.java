package dev.ftscheduler.http;

import dev.ftscheduler.testing.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The REST API through real HTTP against a real database. */
class JobsApiTest {

  private static final int BODY_LIMIT = 64 * 1024;
  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start(new JsonObject().put("MAX_BODY_BYTES", BODY_LIMIT));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void submittedJobRunsToSuccessWithTheSeedsFields() {
    HttpResponse<String> created = app.post("/jobs", "{\"type\":\"demo\",\"payload\":{\"msg\":\"hello\"},\"max_attempts\":3}",
        "Content-Type", "application/json");
    assertThat(created.statusCode()).isEqualTo(201);
    JsonObject job = new JsonObject(created.body());
    assertThat(job.getString("id")).matches("[0-9a-f]{32}");
    assertThat(created.headers().firstValue("Location")).hasValue("/jobs/" + job.getString("id"));

    JsonObject done = app.awaitStatus(job.getString("id"), "SUCCESS");
    assertThat(done.getString("type")).isEqualTo("demo");
    assertThat(done.getInteger("attempts")).isEqualTo(1);
    assertThat(done.getInteger("max_attempts")).isEqualTo(3);
    assertThat(done.getJsonObject("payload")).isEqualTo(new JsonObject().put("msg", "hello"));
    assertThat(done.getString("created_at")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
    assertThat(done.getString("updated_at")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
    assertThat(done.getString("updated_at")).isGreaterThanOrEqualTo(done.getString("created_at"));
  }

  @Test
  void maxAttemptsAndPayloadHaveDefaults() {
    JsonObject job = new JsonObject(app.post("/jobs", "{\"type\":\"noop\"}").body());
    assertThat(job.getInteger("max_attempts")).isEqualTo(3);
    assertThat(job.getJsonObject("payload")).isEqualTo(new JsonObject());
  }

  @Test
  void idempotencyKeyReturnsTheSameJobAndWritesOneRow() {
    String body = "{\"type\":\"noop\",\"payload\":{\"n\":1}}";
    HttpResponse<String> first = app.post("/jobs", body, "Idempotency-Key", "replay-1");
    HttpResponse<String> second = app.post("/jobs", body, "Idempotency-Key", "replay-1");
    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    assertThat(id(second)).isEqualTo(id(first));
    assertThat(rowsWithKey("replay-1")).isEqualTo(1);
  }

  @Test
  void twentyConcurrentSubmissionsWithOneKeyMakeOneJob() {
    String body = "{\"type\":\"noop\",\"payload\":{}}";
    List<CompletableFuture<HttpResponse<String>>> responses = IntStream.range(0, 20)
        .mapToObj(i -> app.http().sendAsync(app.request("/jobs").header("Idempotency-Key", "race-1")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()))
        .toList();
    List<HttpResponse<String>> done = responses.stream().map(CompletableFuture::join).toList();
    assertThat(done).extracting(HttpResponse::statusCode).containsOnly(200, 201);
    assertThat(done).filteredOn(r -> r.statusCode() == 201).hasSize(1);
    assertThat(done.stream().map(JobsApiTest::id).distinct()).hasSize(1);
    assertThat(rowsWithKey("race-1")).isEqualTo(1);
  }

  @Test
  void reusingAKeyForADifferentJobIsRefused() {
    app.post("/jobs", "{\"type\":\"noop\",\"payload\":{\"a\":1}}", "Idempotency-Key", "reuse-1");
    HttpResponse<String> other = app.post("/jobs", "{\"type\":\"noop\",\"payload\":{\"a\":2}}", "Idempotency-Key", "reuse-1");
    assertThat(other.statusCode()).isEqualTo(422);
    assertThat(new JsonObject(other.body()).getString("error")).isEqualTo("idempotency_key_reused");
    assertThat(rowsWithKey("reuse-1")).isEqualTo(1);
  }

  static Stream<Arguments> badSubmissions() {
    String tooBig = "{\"type\":\"noop\",\"payload\":{\"pad\":\"" + "x".repeat(BODY_LIMIT) + "\"}}";
    return Stream.of(
        Arguments.of("malformed JSON", "{\"type\": \"noop\"", null, 400, "invalid_json"),
        Arguments.of("empty body", "", null, 400, "invalid_json"),
        Arguments.of("JSON array", "[1,2]", null, 400, "invalid_json"),
        Arguments.of("missing type", "{\"payload\":{}}", null, 400, "invalid_type"),
        Arguments.of("empty type", "{\"type\":\"\"}", null, 400, "invalid_type"),
        Arguments.of("type not a string", "{\"type\":7}", null, 400, "invalid_type"),
        Arguments.of("unknown type", "{\"type\":\"launch-missiles\"}", null, 400, "unknown_type"),
        Arguments.of("payload not an object", "{\"type\":\"noop\",\"payload\":\"hi\"}", null, 400, "invalid_payload"),
        Arguments.of("payload an array", "{\"type\":\"noop\",\"payload\":[1]}", null, 400, "invalid_payload"),
        Arguments.of("payload the handler rejects", "{\"type\":\"sleep\",\"payload\":{\"ms\":-1}}", null, 400, "invalid_payload"),
        Arguments.of("max_attempts zero", "{\"type\":\"noop\",\"max_attempts\":0}", null, 400, "invalid_max_attempts"),
        Arguments.of("max_attempts absurd", "{\"type\":\"noop\",\"max_attempts\":1000000000}", null, 400, "invalid_max_attempts"),
        Arguments.of("max_attempts fractional", "{\"type\":\"noop\",\"max_attempts\":2.5}", null, 400, "invalid_max_attempts"),
        Arguments.of("max_attempts a string", "{\"type\":\"noop\",\"max_attempts\":\"3\"}", null, 400, "invalid_max_attempts"),
        Arguments.of("unknown field", "{\"type\":\"noop\",\"max_attempt\":3}", null, 400, "unknown_field"),
        Arguments.of("body over the limit", tooBig, null, 413, "body_too_large"),
        Arguments.of("over-long Idempotency-Key", "{\"type\":\"noop\"}", "k".repeat(256), 400, "invalid_idempotency_key"),
        Arguments.of("blank Idempotency-Key", "{\"type\":\"noop\"}", " ", 400, "invalid_idempotency_key"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSubmissions")
  void badSubmissionsGetAClientErrorAndWriteNothing(String name, String body, String key, int status, String error) {
    long before = app.queryLong("SELECT COUNT(*) FROM jobs");
    HttpResponse<String> response = key == null ? app.post("/jobs", body) : app.post("/jobs", body, "Idempotency-Key", key);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonObject json = new JsonObject(response.body());
    assertThat(json.getString("error")).isEqualTo(error);
    assertThat(json.getString("message")).isNotBlank();
    assertThat(app.queryLong("SELECT COUNT(*) FROM jobs")).isEqualTo(before);
  }

  @Test
  void aBatchInsertsEveryJobAndHonoursIdempotencyKeys() {
    String body = "{\"jobs\": [{\"type\":\"noop\"}, {\"type\":\"noop\",\"idempotency_key\":\"batch-k\"},"
        + " {\"type\":\"noop\",\"idempotency_key\":\"batch-k\"}]}";
    HttpResponse<String> first = app.post("/jobs/batch", body);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    JsonArray entries = new JsonObject(first.body()).getJsonArray("jobs");
    assertThat(entries).hasSize(3);
    assertThat(entries.getJsonObject(0).getBoolean("created")).isTrue();
    assertThat(entries.getJsonObject(1).getBoolean("created")).isTrue();
    assertThat(entries.getJsonObject(2).getBoolean("created")).as("the key is taken by the job before").isFalse();
    assertThat(entries.getJsonObject(2).getString("id")).isEqualTo(entries.getJsonObject(1).getString("id"));

    JsonArray again = new JsonObject(app.post("/jobs/batch", body).body()).getJsonArray("jobs");
    assertThat(again.getJsonObject(0).getBoolean("created")).as("no key: a new job").isTrue();
    assertThat(again.getJsonObject(1).getString("id")).isEqualTo(entries.getJsonObject(1).getString("id"));
    assertThat(again.getJsonObject(1).getBoolean("created")).isFalse();
    assertThat(rowsWithKey("batch-k")).isEqualTo(1);
    app.awaitStatus(entries.getJsonObject(0).getString("id"), "SUCCESS");
  }

  @Test
  void aBatchOfAThousandIsOneRequest() {
    JsonArray jobs = new JsonArray();
    for (int i = 0; i < 1000; i++) {
      jobs.add(new JsonObject().put("type", "noop").put("payload", new JsonObject().put("i", i)));
    }
    HttpResponse<String> response = app.post("/jobs/batch", new JsonObject().put("jobs", jobs).encode());
    assertThat(response.statusCode()).isEqualTo(201);
    JsonArray entries = new JsonObject(response.body()).getJsonArray("jobs");
    assertThat(entries).hasSize(1000);
    String last = entries.getJsonObject(999).getString("id");
    assertThat(app.job(last).getJsonObject("payload").getInteger("i")).isEqualTo(999);
  }

  @Test
  void anInvalidJobRefusesTheWholeBatchNamingEachProblem() {
    long before = app.queryLong("SELECT COUNT(*) FROM jobs");
    HttpResponse<String> response = app.post("/jobs/batch",
        "{\"jobs\": [{\"type\":\"noop\"}, {\"type\":\"nope\"}, {\"type\":\"noop\",\"max_attempts\":0}]}");
    assertThat(response.statusCode()).isEqualTo(400);
    JsonObject error = new JsonObject(response.body());
    assertThat(error.getString("error")).isEqualTo("invalid_batch");
    JsonArray errors = error.getJsonArray("errors");
    assertThat(errors).hasSize(2);
    assertThat(errors.getJsonObject(0).getInteger("index")).isEqualTo(1);
    assertThat(errors.getJsonObject(0).getString("error")).isEqualTo("unknown_type");
    assertThat(errors.getJsonObject(1).getInteger("index")).isEqualTo(2);
    assertThat(errors.getJsonObject(1).getString("error")).isEqualTo("invalid_max_attempts");
    assertThat(app.queryLong("SELECT COUNT(*) FROM jobs")).isEqualTo(before);
  }

  @Test
  void batchesHaveALimit() {
    JsonArray jobs = new JsonArray();
    for (int i = 0; i < 1001; i++) {
      jobs.add(new JsonObject().put("type", "noop"));
    }
    HttpResponse<String> tooMany = app.post("/jobs/batch", new JsonObject().put("jobs", jobs).encode());
    assertThat(tooMany.statusCode()).isEqualTo(400);
    assertThat(app.post("/jobs/batch", "{\"jobs\": []}").statusCode()).isEqualTo(400);
    assertThat(app.post("/jobs/batch", "{\"job\": []}").statusCode()).isEqualTo(400);
  }

  @Test
  void unknownAndMalformedIdsAreClientErrors() {
    HttpResponse<String> unknown = app.get("/jobs/0123456789abcdef0123456789abcdef");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(unknown.body()).getString("error")).isEqualTo("not_found");
    HttpResponse<String> malformed = app.get("/jobs/not-a-job-id");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(malformed.body()).getString("error")).isEqualTo("invalid_id");
  }

  @Test
  void unknownRoutesAndMethodsAreJsonErrors() {
    HttpResponse<String> route = app.get("/nope");
    assertThat(route.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(route.body()).getString("error")).isEqualTo("not_found");
    HttpResponse<String> method = app.send(app.request("/jobs/abc").PUT(HttpRequest.BodyPublishers.noBody()).build());
    assertThat(method.statusCode()).isEqualTo(405);
    assertThat(new JsonObject(method.body()).getString("error")).isEqualTo("method_not_allowed");
  }

  @Test
  void healthIncludesTheDatabase() {
    HttpResponse<String> health = app.get("/healthz");
    assertThat(health.statusCode()).isEqualTo(200);
    JsonObject json = new JsonObject(health.body());
    assertThat(json.getString("status")).isEqualTo("UP");
    assertThat(json.getJsonArray("checks").getJsonObject(0).getString("id")).isEqualTo("database");
  }

  @Test
  void readinessIncludesTheDatabaseAndAcceptingJobs() {
    HttpResponse<String> ready = app.get("/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("\"id\":\"database\",\"status\":\"UP\"")
        .contains("\"id\":\"accepting-jobs\",\"status\":\"UP\"");
  }

  private static String id(HttpResponse<String> response) {
    return new JsonObject(response.body()).getString("id");
  }

  private static long rowsWithKey(String key) {
    return app.queryLong("SELECT COUNT(*) FROM jobs WHERE idempotency_key = ?", key);
  }
}
