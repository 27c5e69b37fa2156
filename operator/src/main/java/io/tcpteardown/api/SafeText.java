package io.tcpteardown.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Text that came from outside the project (process names, command lines, Pod fields, kernel or
 * exception text) made safe for the API, Events, metric labels and log lines: printable ASCII only,
 * of a stated length.
 *
 * <p>Every byte outside printable ASCII (control characters such as ESC, newline, NUL and DEL;
 * every byte of a non-ASCII or invalid UTF-8 sequence) becomes {@code \xNN}, so that nothing a
 * terminal, a log parser or a metrics scraper would interpret survives. Safe text stays as it is
 * when made safe again (a backslash is kept), so that a message built from safe names can be
 * checked once more where it is written. A serialized character of such text is at most two bytes
 * of JSON ({@code "} and {@code \} are escaped).
 */
public final class SafeText {
  /** The longest process name shown (the kernel's is 15 bytes; escaped, at most 60 characters). */
  public static final int MAX_COMMAND = 64;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private SafeText() {}

  /** The bytes as printable ASCII: invalid UTF-8 and every non-printable byte escaped. */
  public static String of(byte[] bytes) {
    StringBuilder out = new StringBuilder(bytes.length);
    for (byte b : bytes) {
      append(out, b & 0xff);
    }
    return out.toString();
  }

  /** The text as printable ASCII (its UTF-8 bytes escaped where not printable); null stays null. */
  public static String of(String text) {
    if (text == null) {
      return null;
    }
    boolean clean = true;
    for (int i = 0; i < text.length() && clean; i++) {
      clean = printable(text.charAt(i));
    }
    return clean ? text : of(text.getBytes(StandardCharsets.UTF_8));
  }

  /** {@link #of(String)}, then at most {@code max} characters (see {@link #cap}). */
  public static String of(String text, int max) {
    return cap(of(text), max);
  }

  /**
   * The text itself when it has at most {@code max} characters, else its beginning followed by "...
   * (N more characters)", {@code max} characters in all ({@code max} at least 32).
   */
  public static String cap(String text, int max) {
    if (max < 32) {
      throw new IllegalArgumentException("a cap below 32 characters leaves no room to say so");
    }
    if (text == null || text.length() <= max) {
      return text;
    }
    // the suffix's own length depends on N; 24 digits' room is enough for any int
    int keep = max - 32;
    if (Character.isHighSurrogate(text.charAt(keep - 1))) {
      keep--;
    }
    return text.substring(0, keep) + "... (" + (text.length() - keep) + " more characters)";
  }

  /**
   * At most {@code maxShown} items joined by {@code separator}, then "and N more" (N exact) when
   * there are more.
   */
  public static String join(List<String> items, String separator, int maxShown, String noun) {
    return join(items, items.size(), separator, maxShown, noun);
  }

  /**
   * As {@link #join(List, String, int, String)}, where {@code items} are the first of {@code total}
   * (the rest were never kept): "and N more" counts them too.
   */
  public static String join(
      List<String> items, long total, String separator, int maxShown, String noun) {
    return join(
        items, total, separator, maxShown, more -> separator + "and " + more + " more" + noun);
  }

  /** Names as prose: at most {@code maxShown} joined by ", ", then " and N more" (N exact). */
  public static String names(Collection<String> names, int maxShown) {
    List<String> items = new ArrayList<>(names);
    return join(items, items.size(), ", ", maxShown, more -> " and " + more + " more");
  }

  /**
   * The first {@code maxShown} of {@code items} joined by {@code separator}, then what {@code rest}
   * says of the N left out (all that follows the last item shown), where N counts every one of
   * {@code total}.
   */
  public static String join(
      List<String> items, long total, String separator, int maxShown, LongFunction<String> rest) {
    int shown = Math.min(maxShown, items.size());
    String joined = String.join(separator, items.subList(0, shown));
    long more = total - shown;
    return more > 0 ? joined + rest.apply(more) : joined;
  }

  private static boolean printable(char c) {
    return c >= 0x20 && c < 0x7f;
  }

  private static void append(StringBuilder out, int b) {
    if (printable((char) b)) {
      out.append((char) b);
    } else {
      out.append("\\x").append(HEX[b >> 4]).append(HEX[b & 0xf]);
    }
  }

  /**
   * Items joined by {@code separator} while they fit in {@code maxChars} characters (at most {@code
   * maxShown} of them; the first is cut to fit when it alone does not), then "and N more" with N
   * exact: the count survives however long the items are. At most {@code maxChars} characters
   * ({@code maxChars} at least 96).
   */
  public static String joinWithin(
      List<String> items, String separator, int maxShown, int maxChars, String noun) {
    return joinWithin(
        items, separator, maxShown, maxChars, more -> separator + "and " + more + " more" + noun);
  }

  /**
   * As {@link #joinWithin(List, String, int, int, String)}, with what {@code rest} says of the N
   * items left out (all that follows the last item shown) in place of "and N more".
   */
  public static String joinWithin(
      List<String> items, String separator, int maxShown, int maxChars, LongFunction<String> rest) {
    int room = maxChars - rest.apply(items.size()).length();
    if (room < 32) {
      throw new IllegalArgumentException("no room for an item beside the count");
    }
    StringBuilder out = new StringBuilder();
    int shown = 0;
    for (String item : items) {
      if (shown == maxShown) {
        break;
      }
      String piece = shown == 0 ? cap(item, room) : separator + item;
      if (out.length() + piece.length() > room) {
        break;
      }
      out.append(piece);
      shown++;
    }
    int more = items.size() - shown;
    return more > 0 ? out.append(rest.apply(more)).toString() : out.toString();
  }
}
