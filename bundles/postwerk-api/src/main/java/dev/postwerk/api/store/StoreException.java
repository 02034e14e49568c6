package dev.postwerk.api.store;

import java.util.Objects;

/**
 * A store operation that failed, with a reason each protocol maps to its own reply (IMAP
 * {@code NO [NONEXISTENT]}, {@code [OVERQUOTA]}, {@code [UNAVAILABLE]}; SMTP 552 5.2.2; POP3
 * {@code -ERR [SYS/TEMP]}).
 */
public class StoreException extends Exception {
    private static final long serialVersionUID = 1L;

    private final Reason reason;

    public StoreException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason);
    }

    public StoreException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason);
    }

    public Reason reason() {
        return reason;
    }

    /** Why the operation failed. */
    public enum Reason {
        /** The folder or message does not exist. */
        NOT_FOUND,
        /** A folder of that name exists already. */
        ALREADY_EXISTS,
        /** The name is not allowed (escapes the user's tree, bad characters, INBOX where not allowed). */
        INVALID_NAME,
        /** The user's quota would be exceeded; permanent for this message. */
        OVER_QUOTA,
        /** Temporary: the store cannot serve now (stopped, disk error). Try again later. */
        UNAVAILABLE
    }
}
