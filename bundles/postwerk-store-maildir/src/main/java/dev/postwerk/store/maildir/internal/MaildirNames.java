package dev.postwerk.store.maildir.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.postwerk.api.store.MailboxNames;
import dev.postwerk.api.store.MailboxStore;
import dev.postwerk.api.store.StoreException;
import dev.postwerk.api.store.StoreException.Reason;
import dev.postwerk.api.store.UserMailboxes;

/**
 * Folder and user names, and how they map to paths. Everything that turns a client's words into a
 * path goes through here, so that no name can leave the user's tree (DESIGN.md rule 5).
 */
final class MaildirNames {

    /** Most file systems refuse longer file names. */
    private static final int MAX_FILE_NAME_BYTES = 255;

    /** Folder of users whose name has no domain; '%' never starts an encoded domain. */
    static final String NO_DOMAIN = "%nodomain";

    private MaildirNames() {
    }

    /** The folder-name rules of every store (kept in the API so stores agree). */
    static String canonical(String name) throws StoreException {
        return MailboxNames.canonical(name);
    }

    static List<String> parents(String name) {
        return MailboxNames.parents(name);
    }

    static boolean isSelfOrChild(String name, String ancestor) {
        return MailboxNames.isSelfOrChild(name, ancestor);
    }

    private static List<String> levels(String name) {
        return MailboxNames.levels(name);
    }

    /**
     * The Maildir++ directory name of a canonical folder name other than INBOX: "." before every
     * level, each level in modified UTF-7 as Dovecot and Courier write them (RFC 3501 §5.1.3), with
     * "." itself base64-encoded so it cannot be read as a level separator.
     */
    static String directoryOf(String canonical) throws StoreException {
        StringBuilder b = new StringBuilder();
        for (String level : levels(canonical)) {
            b.append('.').append(encodeLevel(level));
        }
        if (b.length() > MAX_FILE_NAME_BYTES) {
            throw new StoreException(Reason.INVALID_NAME, "folder name too long: " + canonical);
        }
        return b.toString();
    }

    /**
     * The folder name of a directory in a user's tree, or empty when the directory is not a
     * Maildir++ folder (no leading ".", our own "..postwerk-" work directories, undecodable names,
     * or names our rules refuse).
     */
    static Optional<String> folderOf(String directory) {
        if (directory.length() < 2 || directory.charAt(0) != '.' || directory.charAt(1) == '.') {
            return Optional.empty();
        }
        try {
            List<String> levels = new ArrayList<>();
            for (String level : directory.substring(1).split("\\.", -1)) {
                levels.add(decodeLevel(level));
            }
            String name = String.join(String.valueOf(UserMailboxes.HIERARCHY_DELIMITER), levels);
            // Only names that map back to this very directory: otherwise a folder would be listed
            // that cannot be opened (a "/" hidden in base64, a non-canonical encoding).
            if (name.equalsIgnoreCase(MailboxStore.INBOX) || !canonical(name).equals(name)
                    || !directoryOf(name).equals(directory)) {
                return Optional.empty();
            }
            return Optional.of(name);
        } catch (IllegalArgumentException | StoreException e) {
            return Optional.empty();
        }
    }

    /** Printable US-ASCII stands for itself in modified UTF-7, except "&" and our "." (RFC 3501 §5.1.3). */
    private static boolean direct(char c) {
        return c >= 0x20 && c <= 0x7e && c != '.' && c != '&';
    }

    static String encodeLevel(String level) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < level.length()) {
            char c = level.charAt(i);
            if (direct(c)) {
                out.append(c);
                i++;
            } else if (c == '&') {
                out.append("&-");
                i++;
            } else {
                int j = i;
                while (j < level.length() && !direct(level.charAt(j)) && level.charAt(j) != '&') {
                    j++;
                }
                byte[] utf16 = level.substring(i, j).getBytes(StandardCharsets.UTF_16BE);
                out.append('&').append(Base64.getEncoder().withoutPadding().encodeToString(utf16).replace('/', ','))
                        .append('-');
                i = j;
            }
        }
        return out.toString();
    }

    static String decodeLevel(String level) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < level.length()) {
            char c = level.charAt(i);
            if (c != '&') {
                out.append(c);
                i++;
                continue;
            }
            int end = level.indexOf('-', i + 1);
            if (end < 0) {
                throw new IllegalArgumentException("unterminated modified UTF-7: " + level);
            }
            if (end == i + 1) {
                out.append('&');
            } else {
                byte[] utf16 = Base64.getDecoder().decode(level.substring(i + 1, end).replace(',', '/'));
                if (utf16.length % 2 != 0) {
                    throw new IllegalArgumentException("odd UTF-16 in modified UTF-7: " + level);
                }
                out.append(new String(utf16, StandardCharsets.UTF_16BE));
            }
            i = end + 1;
        }
        return out.toString();
    }

    /**
     * The tree of a user: {@code <root>/<domain>/<localpart>} for {@code localpart@domain}, the
     * domain in lower case (RFC 5321 §2.4: domains are case-insensitive, local parts are not).
     * Each part is percent-encoded to a safe file name, so no user name can reach another tree.
     */
    static Path userDirectory(Path root, String user) throws StoreException {
        int at = user.lastIndexOf('@');
        String local = at < 0 ? user : user.substring(0, at);
        String domain = at < 0 ? null : user.substring(at + 1).toLowerCase(Locale.ROOT);
        if (local.isEmpty() || (domain != null && domain.isEmpty())) {
            throw new StoreException(Reason.INVALID_NAME, "not a user name: " + user);
        }
        Path dir = root.resolve(domain == null ? NO_DOMAIN : fileName(domain)).resolve(fileName(local));
        if (!dir.normalize().startsWith(root)) {
            throw new StoreException(Reason.INVALID_NAME, "not a user name: " + user); // cannot happen; kept as a guard
        }
        return dir;
    }

    private static String fileName(String part) throws StoreException {
        StringBuilder b = new StringBuilder();
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int c = bytes[i] & 0xff;
            boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-_+=!#$&'^`{|}~".indexOf(c) >= 0 || (c == '.' && i > 0);
            if (safe) {
                b.append((char) c);
            } else {
                b.append('%').append(String.format("%02X", c));
            }
        }
        if (b.length() > MAX_FILE_NAME_BYTES) {
            throw new StoreException(Reason.INVALID_NAME, "user name too long");
        }
        return b.toString();
    }
}
