package dev.postwerk.shell.internal;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.OptionalLong;

import dev.postwerk.api.directory.DirectoryException;

import org.apache.karaf.shell.api.console.Session;

/** Helpers the commands share: password prompts, sizes, and error messages. */
final class Console {

    private Console() {
    }

    /** The given password, or one read twice from the console without echo. */
    static char[] password(String given, Session session, String prompt) throws IOException {
        if (given != null) {
            return given.toCharArray();
        }
        if (session == null) {
            throw new IllegalArgumentException("no password given and no console to read one from");
        }
        String first = session.readLine(prompt + ": ", '*');
        String second = session.readLine("Again: ", '*');
        if (first == null || first.isEmpty()) {
            throw new IllegalArgumentException("empty password");
        }
        if (!first.equals(second)) {
            throw new IllegalArgumentException("the passwords differ");
        }
        return first.toCharArray();
    }

    static void wipe(char[] password) {
        Arrays.fill(password, '\0');
    }

    /** Octets with an optional binary suffix K, M, G or T; empty or "-" for the default. */
    static OptionalLong size(String text) {
        if (text == null || text.isBlank() || text.equals("-")) {
            return OptionalLong.empty();
        }
        String t = text.trim().toUpperCase(Locale.ROOT);
        int shift = switch (t.charAt(t.length() - 1)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> 0;
        };
        try {
            long n = Long.parseLong(shift == 0 ? t : t.substring(0, t.length() - 1));
            if (n < 0 || n > (Long.MAX_VALUE >> shift)) {
                throw new IllegalArgumentException("size out of range: " + text);
            }
            return OptionalLong.of(n << shift);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: " + text + " (e.g. 500M, 2G)", e);
        }
    }

    static String size(OptionalLong octets) {
        if (octets.isEmpty()) {
            return "default";
        }
        long n = octets.getAsLong();
        String[] units = {"", "K", "M", "G", "T"};
        int u = 0;
        while (u < units.length - 1 && n >= 1024 && n % 1024 == 0) {
            n /= 1024;
            u++;
        }
        return n + units[u];
    }

    /** A refusal as the shell shows it: Karaf prints the message and the command fails. */
    static IllegalStateException failed(DirectoryException e) {
        return new IllegalStateException(e.getMessage() + " (" + e.reason().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")", e);
    }
}
