package dev.postwerk.api.transport;

/** Why the transport refuses a connection before a session starts. */
public enum Refusal {
    /** The listener holds its maximum number of connections. */
    TOO_MANY_CONNECTIONS,
    /** The client's address holds its maximum number of connections. */
    TOO_MANY_FROM_CLIENT
}
