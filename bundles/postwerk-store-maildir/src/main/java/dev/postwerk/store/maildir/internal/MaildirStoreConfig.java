package dev.postwerk.store.maildir.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Postwerk Maildir store",
        description = "Stores each user's mail as a Maildir++ tree on local disk.")
public @interface MaildirStoreConfig {

    @AttributeDefinition(name = "Data folder",
            description = "Folder holding one Maildir++ tree per user as <domain>/<localpart>/. Empty means "
                    + "${karaf.data}/mail, or data/mail when karaf.data is not set.")
    String dataFolder() default "";

    @AttributeDefinition(name = "Storage quota", description = "Octets each user may store; 0 means unlimited.",
            min = "0")
    long storageQuota() default 0;

    @AttributeDefinition(name = "Message quota", description = "Messages each user may keep; 0 means unlimited.",
            min = "0")
    long messageQuota() default 0;

    @AttributeDefinition(name = "Drafts folder", description = "Name of the \\Drafts folder made for new users.")
    String draftsFolder() default "Drafts";

    @AttributeDefinition(name = "Sent folder", description = "Name of the \\Sent folder made for new users.")
    String sentFolder() default "Sent";

    @AttributeDefinition(name = "Junk folder", description = "Name of the \\Junk folder made for new users.")
    String junkFolder() default "Junk";

    @AttributeDefinition(name = "Trash folder", description = "Name of the \\Trash folder made for new users.")
    String trashFolder() default "Trash";

    @AttributeDefinition(name = "Archive folder", description = "Name of the \\Archive folder made for new users.")
    String archiveFolder() default "Archive";
}
