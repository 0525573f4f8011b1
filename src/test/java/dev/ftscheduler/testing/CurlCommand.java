package dev.ftscheduler.testing;

import java.util.ArrayList;
import java.util.List;

/** The parts of a documented {@code curl} command that the README uses: method, URL, headers, body. */
public record CurlCommand(String method, String url, List<String> headers, String body) {

  /** Parses one command written as in a shell: quotes, and lines joined with a trailing backslash. */
  public static CurlCommand parse(String command) {
    List<String> words = words(command.replace("\\\n", " "));
    if (words.isEmpty() || !words.get(0).equals("curl")) {
      throw new IllegalArgumentException("not a curl command: " + command);
    }
    String method = null;
    String url = null;
    String body = null;
    List<String> headers = new ArrayList<>();
    for (int i = 1; i < words.size(); i++) {
      switch (words.get(i)) {
        case "-X" -> method = words.get(++i);
        case "-H" -> {
          String[] header = words.get(++i).split(":\\s*", 2);
          headers.add(header[0]);
          headers.add(header[1]);
        }
        case "-d" -> body = words.get(++i);
        default -> url = words.get(i);
      }
    }
    if (method == null) {
      method = body == null ? "GET" : "POST";
    }
    return new CurlCommand(method, url, headers, body);
  }

  private static List<String> words(String text) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    char quote = 0;
    for (char c : text.toCharArray()) {
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        word = word == null ? new StringBuilder() : word;
      } else if (Character.isWhitespace(c)) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else {
        word = word == null ? new StringBuilder() : word;
        word.append(c);
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }
}
