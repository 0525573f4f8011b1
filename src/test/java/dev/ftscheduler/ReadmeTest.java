package dev.ftscheduler;

import dev.ftscheduler.config.SchedulerConfig;
import dev.ftscheduler.testing.CurlCommand;
import dev.ftscheduler.testing.Receiver;
import dev.ftscheduler.testing.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's examples run against a real scheduler, so they cannot rot. */
class ReadmeTest {

  private static final Pattern FENCED = Pattern.compile("```(\\w*)\\n(.*?)```", Pattern.DOTALL);
  private static String readme;
  private static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    readme = Files.readString(Path.of("README.md"));
    app = TestApp.start(new JsonObject());
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static List<String> blocks(String language) {
    List<String> blocks = new ArrayList<>();
    Matcher m = FENCED.matcher(readme);
    while (m.find()) {
      if (m.group(1).equals(language)) {
        blocks.add(m.group(2));
      }
    }
    return blocks;
  }

  /** Every curl command of the README's bash blocks: a command runs until the next line that starts with curl. */
  private static List<CurlCommand> curls() {
    return blocks("bash").stream()
        .flatMap(block -> Arrays.stream(block.split("\n(?=curl )")))
        .filter(command -> command.startsWith("curl "))
        .map(CurlCommand::parse)
        .toList();
  }

  private HttpResponse<String> run(CurlCommand curl, String jobId) {
    String url = curl.url().replace("http://localhost:8086", "http://127.0.0.1:" + app.port).replace("<job_id>", jobId);
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
        .method(curl.method(), curl.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(curl.body()));
    if (!curl.headers().isEmpty()) {
      request.headers(curl.headers().toArray(String[]::new));
    }
    return app.send(request.build());
  }

  @Test
  void theTwoCommandsComeFirst() {
    List<String> bash = blocks("bash");
    assertThat(readme.indexOf("```bash")).isLessThan(readme.indexOf("## "));
    assertThat(bash.get(0).strip()).isEqualTo("./mvnw -q -DskipTests package && java -jar target/ft-scheduler.jar");
    assertThat(bash.get(1).strip()).isEqualTo("./mvnw verify");
  }

  @Test
  void theSeedsCurlCommandsWorkVerbatim() {
    List<CurlCommand> curls = curls();
    CurlCommand create = curls.get(0);
    assertThat(create.method()).isEqualTo("POST");
    CurlCommand fetch = curls.stream().filter(c -> c.url().endsWith("/jobs/<job_id>")).findFirst().orElseThrow();
    CurlCommand health = curls.stream().filter(c -> c.url().endsWith("/healthz")).findFirst().orElseThrow();

    HttpResponse<String> created = run(create, "");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String id = new JsonObject(created.body()).getString("id");
    assertThat(run(create, "").statusCode()).as("the same Idempotency-Key again").isEqualTo(200);

    app.awaitStatus(id, "SUCCESS");
    JsonObject job = new JsonObject(run(fetch, id).body());
    JsonObject documented = new JsonObject(blocks("json").get(0));
    assertThat(job.fieldNames()).containsAll(documented.fieldNames());
    assertThat(job.getString("status")).isEqualTo(documented.getString("status"));
    assertThat(job.getInteger("attempts")).isEqualTo(documented.getInteger("attempts"));
    assertThat(job.getJsonObject("payload")).isEqualTo(documented.getJsonObject("payload"));

    HttpResponse<String> healthy = run(health, "");
    assertThat(healthy.statusCode()).isEqualTo(200);
    assertThat(healthy.body()).startsWith("{\"status\":\"UP\",\"checks\":[{\"id\":\"database\",\"status\":\"UP\"}]");
  }

  @Test
  void theWebhookExampleWorksAgainstALoopbackReceiver() {
    CurlCommand example = curls().stream().filter(c -> c.body() != null && c.body().contains("\"type\": \"http\""))
        .findFirst().orElseThrow();
    try (Receiver receiver = new Receiver()) {
      // the documented URL is an example: tests only ever call loopback
      CurlCommand local = new CurlCommand(example.method(), example.url(), example.headers(),
          example.body().replace("https://example.com/hooks/order", receiver.url("/ok")));
      HttpResponse<String> created = run(local, "");
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      String id = new JsonObject(created.body()).getString("id");
      app.awaitStatus(id, "SUCCESS");
      assertThat(receiver.requests(id + ":http")).isEqualTo(1);
    }
  }

  @Test
  void theBatchExampleWorksAndReplaysItsKey() {
    CurlCommand batch = curls().stream().filter(c -> c.url().endsWith("/jobs/batch")).findFirst().orElseThrow();
    HttpResponse<String> first = run(batch, "");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    JsonArray entries = new JsonObject(first.body()).getJsonArray("jobs");
    assertThat(entries).hasSize(2);
    assertThat(entries.getJsonObject(1).getBoolean("created")).isTrue();
    JsonArray again = new JsonObject(run(batch, "").body()).getJsonArray("jobs");
    assertThat(again.getJsonObject(1).getBoolean("created")).isFalse();
    assertThat(again.getJsonObject(1).getString("id")).isEqualTo(entries.getJsonObject(1).getString("id"));
    app.awaitStatus(entries.getJsonObject(1).getString("id"), "SUCCESS");
  }

  @Test
  void theDeadLetterExamplesWork() {
    String id = app.submit("{\"type\":\"fail\",\"payload\":{\"times\":9},\"max_attempts\":1}");
    app.awaitStatus(id, "DEAD");
    CurlCommand list = curls().stream().filter(c -> c.url().contains("/jobs?status=DEAD")).findFirst().orElseThrow();
    HttpResponse<String> listed = run(list, "");
    assertThat(listed.statusCode()).isEqualTo(200);
    assertThat(listed.body()).contains(id);
    CurlCommand retry = curls().stream().filter(c -> c.url().endsWith("/retry")).findFirst().orElseThrow();
    HttpResponse<String> retried = run(retry, id);
    assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
    assertThat(new JsonObject(retried.body()).getInteger("max_attempts")).isEqualTo(4);
  }

  @Test
  void theScheduleExampleWorks() {
    CurlCommand create = curls().stream().filter(c -> c.url().endsWith("/schedules")).findFirst().orElseThrow();
    HttpResponse<String> created = run(create, "");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(new JsonObject(created.body()).getString("next_run_at")).isNotBlank();
  }

  @Test
  void theJobTypeExampleIsCompiledCode() throws Exception {
    String example = blocks("java").get(0).strip();
    String source = Files.readString(Path.of("src/test/java/dev/ftscheduler/examples/ChargeHandler.java"));
    assertThat(source).as("the README's ChargeHandler, word for word, in the test sources").contains(example);
  }

  @Test
  void theConfigurationTableListsEveryKey() {
    for (String key : SchedulerConfig.KEYS) {
      assertThat(readme).as("README row for " + key).containsPattern("\\n\\| `" + key + "` \\|");
    }
  }
}
