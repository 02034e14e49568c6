package dev.postwerk.api.queue;

/** The spool could not take or keep a message; the client must be told to try again later. */
public class QueueException extends Exception {
    private static final long serialVersionUID = 1L;

    public QueueException(String message) {
        super(message);
    }

    public QueueException(String message, Throwable cause) {
        super(message, cause);
    }
}
