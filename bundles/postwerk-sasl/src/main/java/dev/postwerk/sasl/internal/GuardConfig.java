package dev.postwerk.sasl.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Postwerk authentication guard",
        description = "Brute-force protection for every login path (SMTP AUTH, IMAP, POP3): growing delays before "
                + "failure replies, and client addresses refused for a while past a threshold.")
public @interface GuardConfig {

    @AttributeDefinition(name = "First failure delay (ms)",
            description = "Delay before the reply to the first failed attempt; it doubles with each further failure.")
    long delay_initial() default 500;

    @AttributeDefinition(name = "Maximum failure delay (ms)", description = "The delay stops growing here.")
    long delay_max() default 15000;

    @AttributeDefinition(name = "Failures before refusing an address",
            description = "Failed attempts from one client address (IPv6: one /64) within the window before it is refused.")
    int block_threshold() default 10;

    @AttributeDefinition(name = "Counting window (s)", description = "Failures older than this are forgotten.")
    long window() default 600;

    @AttributeDefinition(name = "Refusal time (s)", description = "How long a refused address stays refused.")
    long block_duration() default 900;

    @AttributeDefinition(name = "Tracked addresses and accounts",
            description = "At most this many client addresses and as many account names are tracked; "
                    + "the least recently seen are forgotten first, so memory stays bounded.")
    int max_entries() default 50000;
}
