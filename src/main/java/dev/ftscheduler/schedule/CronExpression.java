package dev.ftscheduler.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/**
 * A standard 5-field cron expression (minute hour day-of-month month day-of-week, as in crontab)
 * or a macro (@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly), in a time zone;
 * parsed by cron-utils.
 */
public final class CronExpression {

  private static final CronDefinition UNIX_WITH_MACROS = CronDefinitionBuilder.defineCron()
      .withMinutes().withValidRange(0, 59).withStrictRange().and()
      .withHours().withValidRange(0, 23).withStrictRange().and()
      .withDayOfMonth().withValidRange(1, 31).withStrictRange().and()
      .withMonth().withValidRange(1, 12).withStrictRange().and()
      .withDayOfWeek().withValidRange(0, 7).withMondayDoWValue(1).withIntMapping(7, 0).withStrictRange().and()
      .withSupportedNicknameYearly().withSupportedNicknameAnnually().withSupportedNicknameMonthly()
      .withSupportedNicknameWeekly().withSupportedNicknameDaily().withSupportedNicknameMidnight()
      .withSupportedNicknameHourly()
      .instance();
  private static final CronParser PARSER = new CronParser(UNIX_WITH_MACROS);

  private final ExecutionTime executionTime;
  private final ZoneId zone;

  private CronExpression(ExecutionTime executionTime, ZoneId zone) {
    this.executionTime = executionTime;
    this.zone = zone;
  }

  /** @throws IllegalArgumentException naming the field (cron or timezone) that is wrong */
  public static CronExpression parse(String cron, String timezone) {
    ZoneId zone;
    try {
      zone = ZoneId.of(timezone);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("timezone: unknown time zone '" + timezone + "' (use an IANA name such as Europe/Paris)");
    }
    try {
      Cron parsed = PARSER.parse(cron.trim());
      parsed.validate();
      return new CronExpression(ExecutionTime.forCron(parsed), zone);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cron: '" + cron + "' is not a 5-field cron expression or macro: " + e.getMessage());
    }
  }

  /** The first tick strictly after {@code after}, if the expression ever fires again. */
  public Optional<Instant> nextAfter(Instant after) {
    return executionTime.nextExecution(after.atZone(zone)).map(next -> next.toInstant());
  }
}
