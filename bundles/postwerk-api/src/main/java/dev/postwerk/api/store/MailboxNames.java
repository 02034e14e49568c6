package dev.postwerk.api.store;

import java.util.ArrayList;
import java.util.List;

import dev.postwerk.api.store.StoreException.Reason;

/**
 * The folder-name rules every store and protocol applies, so that stores are interchangeable and a
 * name refused by one is refused by all: {@link UserMailboxes#HIERARCHY_DELIMITER} between levels,
 * {@code INBOX} in any case, and nothing that could leave a user's own tree.
 */
public final class MailboxNames {

    /** Longer names are refused: no client needs them and they only cost memory. */
    public static final int MAX_LENGTH = 1000;

    private MailboxNames() {
    }

    /**
     * The canonical form of a folder name ({@code INBOX} in upper case, RFC 3501 §5.1), or
     * {@link Reason#INVALID_NAME} when the name is empty, absolute, has empty, "." or ".." levels,
     * control characters or a leading "~" (which some servers read as another user's namespace).
     */
    public static String canonical(String name) throws StoreException {
        if (name.isEmpty() || name.length() > MAX_LENGTH) {
            throw invalid(name);
        }
        if (name.equalsIgnoreCase(MailboxStore.INBOX)) {
            return MailboxStore.INBOX;
        }
        if (name.charAt(0) == '~') {
            throw invalid(name);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                throw invalid(name);
            }
        }
        for (String level : levels(name)) {
            if (level.isEmpty() || level.equals(".") || level.equals("..")) {
                throw invalid(name);
            }
        }
        return name;
    }

    /** The levels of a name ("a/b" gives "a", "b"). */
    public static List<String> levels(String name) {
        return List.of(name.split(String.valueOf(UserMailboxes.HIERARCHY_DELIMITER), -1));
    }

    /** The names of a folder's ancestors, outermost first ("a/b/c" gives "a", "a/b"). */
    public static List<String> parents(String name) {
        List<String> parents = new ArrayList<>();
        for (int i = name.indexOf(UserMailboxes.HIERARCHY_DELIMITER); i > 0;
                i = name.indexOf(UserMailboxes.HIERARCHY_DELIMITER, i + 1)) {
            parents.add(name.substring(0, i));
        }
        return parents;
    }

    /** True when {@code name} is {@code ancestor} or below it. */
    public static boolean isSelfOrChild(String name, String ancestor) {
        return name.equals(ancestor) || name.startsWith(ancestor + UserMailboxes.HIERARCHY_DELIMITER);
    }

    private static StoreException invalid(String name) {
        // the name goes into the message escaped: it may hold control characters
        StringBuilder b = new StringBuilder();
        for (char c : name.toCharArray()) {
            b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return new StoreException(Reason.INVALID_NAME, "invalid folder name: " + b);
    }
}
