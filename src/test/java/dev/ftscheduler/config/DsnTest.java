package dev.ftscheduler.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DsnTest {

  @Test
  void parsesTheSeedsGoDriverForm() {
    Dsn dsn = Dsn.parse("root:root@tcp(127.0.0.1:3310)/scheduler?parseTime=true");
    assertThat(dsn).isEqualTo(new Dsn("root", "root", "127.0.0.1", 3310, "scheduler"));
  }

  @Test
  void parsesTheUrlForm() {
    Dsn dsn = Dsn.parse("mysql://app:s%40cret@db.internal:3306/jobs?ssl=false");
    assertThat(dsn).isEqualTo(new Dsn("app", "s@cret", "db.internal", 3306, "jobs"));
  }

  @Test
  void defaultsPortAndUser() {
    assertThat(Dsn.parse("mysql://db/jobs")).isEqualTo(new Dsn("root", "", "db", 3306, "jobs"));
    assertThat(Dsn.parse("u@tcp(db)/jobs")).isEqualTo(new Dsn("u", "", "db", 3306, "jobs"));
  }

  @Test
  void goFormPasswordMayHoldSpecialCharacters() {
    assertThat(Dsn.parse("u:p@ss:w@tcp(h:1)/d").password()).isEqualTo("p@ss:w");
  }

  @Test
  void urlFormRoundTrips() {
    Dsn dsn = new Dsn("a b", "p@:/", "h", 3307, "d");
    assertThat(Dsn.parse(dsn.toUrl())).isEqualTo(dsn);
  }

  @Test
  void neverPrintsThePassword() {
    assertThat(Dsn.parse("root:hunter2@tcp(h:1)/d").toString()).doesNotContain("hunter2").contains("root:***@h:1/d");
  }

  @Test
  void rejectsOtherFormsNamingBoth() {
    assertThatThrownBy(() -> Dsn.parse("postgres://u:secret@h/d"))
        .hasMessageContaining("mysql://user:pass@host:port/db")
        .hasMessageContaining("tcp(host:port)")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> Dsn.parse("mysql://h:1/")).isInstanceOf(IllegalArgumentException.class);
  }
}
