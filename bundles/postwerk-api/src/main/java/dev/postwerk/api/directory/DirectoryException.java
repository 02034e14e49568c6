package dev.postwerk.api.directory;

import java.util.Objects;

/** An administrative change a directory refused, with a reason the shell can print. */
public class DirectoryException extends Exception {
    private static final long serialVersionUID = 1L;

    private final Reason reason;

    public DirectoryException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason);
    }

    public DirectoryException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason);
    }

    public Reason reason() {
        return reason;
    }

    /** Why the change was refused. */
    public enum Reason {
        /** The domain, user or alias does not exist. */
        NOT_FOUND,
        /** It exists already. */
        ALREADY_EXISTS,
        /** A name or value is not valid (bad address, unknown domain, empty password). */
        INVALID,
        /** Refused because something depends on it (a domain that still has users). */
        CONFLICT,
        /** Temporary: the directory cannot be written now (I/O error, read-only backend). */
        UNAVAILABLE
    }
}
