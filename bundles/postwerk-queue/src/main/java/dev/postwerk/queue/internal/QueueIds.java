package dev.postwerk.queue.internal;

import java.time.Instant;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Queue ids: a sequence that starts from the clock (milliseconds times 1000) and only grows,
 * written in base 36, upper case, twelve characters. They sort by arrival, stay unique across
 * restarts even if the clock steps back (recovery continues from the highest id seen), and are
 * safe as file names.
 */
final class QueueIds {

    private static final Pattern FORM = Pattern.compile("[0-9A-Z]{12}");

    private QueueIds() {
    }

    static long sequenceFloor(Instant now) {
        return now.toEpochMilli() * 1000;
    }

    static String format(long sequence) {
        String s = Long.toString(sequence, 36).toUpperCase(Locale.ROOT);
        return "0".repeat(Math.max(0, 12 - s.length())) + s;
    }

    /** The sequence of an id, or 0 when {@code name} is not one. */
    static long sequence(String name) {
        if (!FORM.matcher(name).matches()) {
            return 0;
        }
        try {
            return Long.parseLong(name, 36);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static boolean isId(String name) {
        return FORM.matcher(name).matches();
    }
}
