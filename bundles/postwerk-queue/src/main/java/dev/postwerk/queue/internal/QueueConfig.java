package dev.postwerk.queue.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Postwerk mail queue",
        description = "The durable spool behind SMTP: where accepted mail is kept, how it is delivered, retried and bounced.")
public @interface QueueConfig {

    @AttributeDefinition(name = "Spool folder",
            description = "Where messages and the queue journal are kept. Empty: ${karaf.data}/spool "
                    + "(data/spool without karaf.data). A relative path is resolved against karaf.data. "
                    + "Changing it takes effect on the next activation; mail in the old folder stays there.")
    String spool_folder() default "";

    @AttributeDefinition(name = "Delivery workers",
            description = "Threads that deliver spooled messages (local store and relay hand-off). They "
                    + "mostly wait for fsyncs, which the store groups per folder: more threads, bigger groups.")
    int delivery_threads() default 16;

    @AttributeDefinition(name = "Retry schedule",
            description = "Delays between delivery attempts after a temporary failure, comma separated "
                    + "(s, m, h, d suffixes); the last one repeats until the maximum queue lifetime.")
    String retry_schedule() default "1m,5m,15m,1h";

    @AttributeDefinition(name = "Maximum queue lifetime",
            description = "How long a message may wait for delivery (e.g. 5d) before its pending recipients are bounced.")
    String max_lifetime() default "5d";

    @AttributeDefinition(name = "Delay notice after",
            description = "A message still not delivered this long after arrival (e.g. 4h) gets one delay notice "
                    + "(RFC 3461 NOTIFY=DELAY; also sent when the client gave no NOTIFY, as sendmail does); 0 sends none.")
    String delay_warning() default "4h";

    @AttributeDefinition(name = "Over-quota retry period",
            description = "A full mailbox (552 5.2.2) is retried like a temporary failure for this long after "
                    + "arrival (e.g. 1d), then bounced; 0 bounces at once.")
    String over_quota_retry() default "1d";

    @AttributeDefinition(name = "Postmaster address",
            description = "The From: of delivery status notifications. Empty: postmaster@<hostname>.")
    String postmaster() default "";

    @AttributeDefinition(name = "Host name",
            description = "The name of this MTA in DSNs (Reporting-MTA). Empty: the local host name.")
    String hostname() default "";

    @AttributeDefinition(name = "Largest message returned in full in a bounce (octets)",
            description = "Bigger messages are returned with their header only, whatever RET asked (as Postfix's bounce_size_limit).")
    long bounce_size_limit() default 262144;

    @AttributeDefinition(name = "Mailbox store filter",
            description = "An LDAP filter choosing the store local mail goes to, e.g. (store.name=maildir). "
                    + "Among matching stores the highest service.ranking wins.")
    String store_target() default "(objectClass=*)";

    @AttributeDefinition(name = "Journal compaction size (octets)",
            description = "The queue journal is rewritten with only the live messages once it grows past this size.")
    long journal_compact_size() default 67108864;

    @AttributeDefinition(name = "Inline message size (octets)",
            description = "Messages up to this size are written into the queue journal itself, so that one fsync "
                    + "commits many of them; larger ones get a file of their own. 0 gives every message its own file. "
                    + "At most 8 MiB; all sessions together hold at most 64 MiB in memory this way.")
    int spool_inline_max() default 131072;
}
