package dev.postwerk.pop3.internal;

import java.util.List;
import java.util.Locale;

/**
 * One command line, split as RFC 1939 §3 describes: a case-insensitive keyword, then arguments
 * separated by spaces. The raw argument text is kept because PASS takes the rest of the line
 * as the password, spaces included (RFC 1939 §7).
 *
 * @param verb the keyword, upper case
 * @param argument everything after the first space, as sent
 */
record Request(String verb, String argument) {

    static Request parse(String line) {
        int space = line.indexOf(' ');
        String verb = space < 0 ? line : line.substring(0, space);
        return new Request(verb.toUpperCase(Locale.ROOT), space < 0 ? "" : line.substring(space + 1));
    }

    /** The arguments; a client's doubled or trailing spaces are tolerated. */
    List<String> arguments() {
        String trimmed = argument.strip();
        return trimmed.isEmpty() ? List.of() : List.of(trimmed.split(" +"));
    }
}
