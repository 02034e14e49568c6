package dev.postwerk.auth.file.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import dev.postwerk.api.mail.InvalidAddressException;
import dev.postwerk.api.mail.MailAddress;

/**
 * The directory file's syntax: one entry per line, {@code #} comments, whitespace-separated
 * fields, so an administrator can read and edit it with any editor.
 *
 * <pre>
 * domain example.com
 * user   alice@example.com password={ARGON2ID}$argon2id$... scram-sha-256=10000,... quota=2G messages=50000 master disabled
 * alias  info@example.com alice@example.com bob@partner.example
 * alias  @example.com postmaster@example.com        # catch-all
 * </pre>
 *
 * Lines are kept as they were read (comments, spacing, even lines with errors) and only the
 * entries a change touches are rewritten, so hand edits survive shell edits.
 */
final class DirectoryFile {

    private DirectoryFile() {
    }

    /** One line of the file. */
    sealed interface Line permits Verbatim, Invalid, Domain, User, Alias {
        /** The line as written to the file. */
        String text();
    }

    /** A comment or blank line. */
    record Verbatim(String text) implements Line {
    }

    /** A line that could not be read; kept as it is and reported. */
    record Invalid(String text, String error) implements Line {
    }

    /** {@code domain NAME}. */
    record Domain(String name, String text) implements Line {
        static Domain of(String name) {
            return new Domain(name, "domain " + name);
        }
    }

    /** {@code user ADDRESS [password=..] [scram-sha-256=..] [quota=..] [messages=..] [master] [disabled]}. */
    record User(MailAddress address, Optional<String> password, Optional<String> scram, OptionalLong quota,
            OptionalLong messages, boolean master, boolean disabled, String text) implements Line {

        User {
            Objects.requireNonNull(address);
            Objects.requireNonNull(password);
            Objects.requireNonNull(scram);
            Objects.requireNonNull(quota);
            Objects.requireNonNull(messages);
        }

        static User of(MailAddress address, Optional<String> password, Optional<String> scram, OptionalLong quota,
                OptionalLong messages, boolean master, boolean disabled) {
            StringBuilder sb = new StringBuilder("user ").append(address);
            password.ifPresent(p -> sb.append(" password=").append(p));
            scram.ifPresent(s -> sb.append(" scram-sha-256=").append(s));
            quota.ifPresent(q -> sb.append(" quota=").append(q));
            messages.ifPresent(m -> sb.append(" messages=").append(m));
            if (master) {
                sb.append(" master");
            }
            if (disabled) {
                sb.append(" disabled");
            }
            return new User(address, password, scram, quota, messages, master, disabled, sb.toString());
        }

        String name() {
            return address.toString();
        }

        User withPassword(String hash, Optional<String> newScram) {
            return of(address, Optional.of(hash), newScram, quota, messages, master, disabled);
        }

        User withSettings(boolean newMaster, boolean newDisabled, OptionalLong newQuota, OptionalLong newMessages) {
            return of(address, password, scram, newQuota, newMessages, newMaster, newDisabled);
        }
    }

    /** {@code alias SOURCE TARGET...}; the source {@code @domain} is the domain's catch-all. */
    record Alias(String source, List<MailAddress> targets, String text) implements Line {
        Alias {
            targets = List.copyOf(targets);
        }

        static Alias of(String source, List<MailAddress> targets) {
            StringBuilder sb = new StringBuilder("alias ").append(source);
            targets.forEach(t -> sb.append(' ').append(t));
            return new Alias(source, targets, sb.toString());
        }

        boolean isCatchAll() {
            return source.startsWith("@");
        }

        /** The domain of the source, lower case. */
        String domain() {
            return source.substring(source.lastIndexOf('@') + 1);
        }
    }

    static List<Line> parse(String content) {
        List<Line> lines = new ArrayList<>();
        for (String raw : content.split("\r?\n", -1)) {
            lines.add(parseLine(raw));
        }
        // split leaves one empty string after the final newline; it is not a line of the file
        if (!lines.isEmpty() && lines.get(lines.size() - 1).text().isEmpty() && content.endsWith("\n")) {
            lines.remove(lines.size() - 1);
        }
        if (content.isEmpty()) {
            lines.clear();
        }
        return lines;
    }

    static String format(List<Line> lines) {
        StringBuilder sb = new StringBuilder();
        for (Line l : lines) {
            sb.append(l.text()).append('\n');
        }
        return sb.toString();
    }

    static Line parseLine(String raw) {
        String content = stripComment(raw).strip();
        if (content.isEmpty()) {
            return new Verbatim(raw);
        }
        String[] f = content.split("\\s+");
        try {
            return switch (f[0].toLowerCase(Locale.ROOT)) {
                case "domain" -> {
                    if (f.length != 2) {
                        throw new IllegalArgumentException("expected: domain NAME");
                    }
                    yield new Domain(normalizeDomain(f[1]), raw);
                }
                case "user" -> parseUser(f, raw);
                case "alias" -> parseAlias(f, raw);
                default -> throw new IllegalArgumentException("unknown entry '" + f[0] + "'");
            };
        } catch (IllegalArgumentException e) {
            return new Invalid(raw, e.getMessage());
        }
    }

    /** A comment starts with {@code #} at the start of a line or after whitespace: {@code #} is valid in local parts. */
    private static String stripComment(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) == '#' && (i == 0 || Character.isWhitespace(raw.charAt(i - 1)))) {
                return raw.substring(0, i);
            }
        }
        return raw;
    }

    private static User parseUser(String[] f, String raw) {
        if (f.length < 2) {
            throw new IllegalArgumentException("expected: user ADDRESS [attributes]");
        }
        MailAddress address = address(f[1]);
        Optional<String> password = Optional.empty();
        Optional<String> scram = Optional.empty();
        OptionalLong quota = OptionalLong.empty();
        OptionalLong messages = OptionalLong.empty();
        boolean master = false;
        boolean disabled = false;
        for (int i = 2; i < f.length; i++) {
            String a = f[i];
            int eq = a.indexOf('=');
            String key = (eq < 0 ? a : a.substring(0, eq)).toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "" : a.substring(eq + 1);
            switch (key) {
                case "password" -> password = Optional.of(value);
                case "scram-sha-256" -> scram = Optional.of(value);
                case "quota" -> quota = OptionalLong.of(size(value));
                case "messages" -> messages = OptionalLong.of(Long.parseLong(value));
                case "master" -> master = true;
                case "disabled" -> disabled = true;
                default -> throw new IllegalArgumentException("unknown user attribute '" + key + "'");
            }
        }
        return new User(address, password, scram, quota, messages, master, disabled, raw);
    }

    private static Alias parseAlias(String[] f, String raw) {
        if (f.length < 3) {
            throw new IllegalArgumentException("expected: alias SOURCE TARGET...");
        }
        List<MailAddress> targets = new ArrayList<>();
        for (int i = 2; i < f.length; i++) {
            targets.add(address(f[i]));
        }
        return new Alias(source(f[1]), targets, raw);
    }

    /** An alias source: {@code local@domain} or {@code @domain}, domain normalised. */
    static String source(String text) {
        if (text.startsWith("@")) {
            return "@" + normalizeDomain(text.substring(1));
        }
        return address(text).toString();
    }

    static MailAddress address(String text) {
        try {
            MailAddress a = MailAddress.parse(text);
            if (a.toString().chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("addresses with spaces cannot be stored: " + text);
            }
            return a;
        } catch (InvalidAddressException e) {
            throw new IllegalArgumentException("invalid address '" + text + "': " + e.getMessage(), e);
        }
    }

    static String normalizeDomain(String domain) {
        try {
            return MailAddress.of("x", domain).domain();
        } catch (InvalidAddressException e) {
            throw new IllegalArgumentException("invalid domain '" + domain + "': " + e.getMessage(), e);
        }
    }

    /** Octets, with an optional binary suffix K, M, G or T. */
    static long size(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                case 'T' -> unit = 1L << 40;
                default -> unit = 1;
            }
        }
        long n = Long.parseLong(unit == 1 ? t : t.substring(0, t.length() - 1));
        if (n < 0) {
            throw new IllegalArgumentException("negative size");
        }
        return Math.multiplyExact(n, unit);
    }
}
