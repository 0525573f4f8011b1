package dev.ftscheduler.worker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {

  private final Backoff backoff = new Backoff(1000, 60000, 0.1);

  @Test
  void doublesFromTheBaseWithoutJitterAtTheMidpoint() {
    assertThat(backoff.delayMs(1, () -> 0.5)).isEqualTo(1000);
    assertThat(backoff.delayMs(2, () -> 0.5)).isEqualTo(2000);
    assertThat(backoff.delayMs(3, () -> 0.5)).isEqualTo(4000);
    assertThat(backoff.delayMs(6, () -> 0.5)).isEqualTo(32000);
  }

  @Test
  void isCappedAtTheMaximum() {
    assertThat(backoff.delayMs(7, () -> 0.5)).isEqualTo(60000);
    assertThat(backoff.delayMs(1000, () -> 0.5)).isEqualTo(60000);
  }

  @Test
  void jitterStaysWithinPlusMinusTheFactor() {
    assertThat(backoff.delayMs(3, () -> 0.0)).isEqualTo(3600);
    assertThat(backoff.delayMs(3, () -> 0.999999)).isBetween(4399L, 4400L);
    assertThat(backoff.delayMs(1000, () -> 0.0)).isEqualTo(54000);
  }

  @Test
  void noJitterMeansExactDelays() {
    assertThat(new Backoff(10, 100, 0).delayMs(2, Math::random)).isEqualTo(20);
  }
}
