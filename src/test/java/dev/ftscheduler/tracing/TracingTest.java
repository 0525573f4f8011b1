package dev.ftscheduler.tracing;

import dev.ftscheduler.testing.TestApp;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Tracing with the SDK's in-memory exporter: the submit span, and attempt spans linked to it. */
class TracingTest {

  private static final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private static TestApp app;

  @BeforeAll
  static void start() {
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
    app = TestApp.startTraced(new JsonObject(), new Tracing(sdk));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void eachAttemptIsASpanLinkedToTheSubmittingTrace() {
    String id = app.submit("{\"type\":\"fail\",\"payload\":{\"times\":1},\"max_attempts\":2}");
    app.awaitStatus(id, "SUCCESS");
    TestApp.awaitCondition("two attempt spans", () -> attempts(id).size() == 2);

    SpanData submit = exporter.getFinishedSpanItems().stream()
        .filter(span -> span.getKind() == SpanKind.SERVER && "POST".equals(span.getName()))
        .findFirst().orElseThrow(() -> new AssertionError("no POST span in " + exporter.getFinishedSpanItems()));
    List<SpanData> attempts = attempts(id);
    for (SpanData attempt : attempts) {
      assertThat(attempt.getName()).isEqualTo("job fail");
      assertThat(attempt.getLinks()).anySatisfy(link ->
          assertThat(link.getSpanContext().getTraceId()).isEqualTo(submit.getTraceId()));
    }
    assertThat(attempts).extracting(span -> span.getAttributes().get(AttributeKey.stringKey("job.outcome")))
        .containsExactlyInAnyOrder("failure", "success");
    // the INSERT of the submission is traced inside the POST
    assertThat(exporter.getFinishedSpanItems()).anySatisfy(span -> {
      assertThat(span.getKind()).isEqualTo(SpanKind.CLIENT);
      assertThat(span.getTraceId()).isEqualTo(submit.getTraceId());
    });
  }

  private static List<SpanData> attempts(String jobId) {
    return exporter.getFinishedSpanItems().stream()
        .filter(span -> jobId.equals(span.getAttributes().get(AttributeKey.stringKey("job.id"))))
        .toList();
  }
}
