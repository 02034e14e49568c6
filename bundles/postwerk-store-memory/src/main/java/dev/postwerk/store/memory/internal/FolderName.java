package dev.postwerk.store.memory.internal;

import dev.postwerk.api.store.MailboxStore;
import dev.postwerk.api.store.StoreException;
import dev.postwerk.api.store.StoreException.Reason;
import dev.postwerk.api.store.UserMailboxes;

/**
 * Folder name rules shared by every operation that takes a name. The same rules as the Maildir
 * store keeps, so the two stores are interchangeable (a candidate for the API; see the report of
 * issue 3).
 */
final class FolderName {

    /** Longer names are refused: no client needs them and they only cost memory. */
    static final int MAX_LENGTH = 1000;

    private FolderName() {
    }

    /**
     * The canonical form of a folder name ({@code INBOX} in upper case, RFC 3501 §5.1), or
     * INVALID_NAME when the name is empty, absolute, has empty, "." or ".." levels, control
     * characters or a leading "~" (which some servers read as another user's namespace).
     */
    static String canonical(String name) throws StoreException {
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
        String delimiter = String.valueOf(UserMailboxes.HIERARCHY_DELIMITER);
        for (String level : name.split(delimiter, -1)) {
            if (level.isEmpty() || level.equals(".") || level.equals("..")) {
                throw invalid(name);
            }
        }
        return name;
    }

    /** The names of a folder's ancestors, outermost first ("a/b/c" gives "a", "a/b"). */
    static java.util.List<String> parents(String name) {
        java.util.List<String> parents = new java.util.ArrayList<>();
        for (int i = name.indexOf(UserMailboxes.HIERARCHY_DELIMITER); i > 0;
                i = name.indexOf(UserMailboxes.HIERARCHY_DELIMITER, i + 1)) {
            parents.add(name.substring(0, i));
        }
        return parents;
    }

    /** True when {@code name} is {@code ancestor} or below it. */
    static boolean isSelfOrChild(String name, String ancestor) {
        return name.equals(ancestor) || name.startsWith(ancestor + UserMailboxes.HIERARCHY_DELIMITER);
    }

    private static StoreException invalid(String name) {
        // The name goes into the message escaped: it may hold control characters.
        return new StoreException(Reason.INVALID_NAME, "invalid folder name: " + escape(name));
    }

    static String escape(String name) {
        StringBuilder b = new StringBuilder();
        for (char c : name.toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
