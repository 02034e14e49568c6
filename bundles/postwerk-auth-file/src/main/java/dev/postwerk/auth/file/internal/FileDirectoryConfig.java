package dev.postwerk.auth.file.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

@ObjectClassDefinition(name = "Postwerk file directory",
        description = "Domains, users and aliases kept in one human-editable file, reloaded when it changes.")
public @interface FileDirectoryConfig {

    @AttributeDefinition(name = "File",
            description = "The directory file. A relative path is resolved against Karaf's etc/ folder.")
    String file() default "postwerk-users.conf";

    @AttributeDefinition(name = "Case-insensitive local parts",
            description = "Match Alice@example.com and alice@example.com to the same user or alias. Domains always ignore case.")
    boolean case_insensitive_local_parts() default true;

    @AttributeDefinition(name = "Recipient delimiter",
            description = "Plus-addressing separator: user+tag@domain is delivered to user, tag kept for filters. Empty turns it off.")
    String recipient_delimiter() default "+";

    @AttributeDefinition(name = "Password scheme", description = "Scheme for new and re-hashed passwords.",
            options = {@Option(label = "Argon2id", value = "ARGON2ID"), @Option(label = "bcrypt", value = "BLF-CRYPT")})
    String password_scheme() default "ARGON2ID";

    @AttributeDefinition(name = "Argon2id memory (KiB)", description = "Memory per hash; 19456 is OWASP's minimum.")
    int argon2_memory() default 19456;

    @AttributeDefinition(name = "Argon2id iterations", description = "Passes over the memory.")
    int argon2_iterations() default 2;

    @AttributeDefinition(name = "Argon2id parallelism", description = "Lanes; 1 keeps one login on one core.")
    int argon2_parallelism() default 1;

    @AttributeDefinition(name = "bcrypt cost", description = "log2 of bcrypt's rounds (4-31).")
    int bcrypt_cost() default 10;

    @AttributeDefinition(name = "SCRAM iterations",
            description = "PBKDF2 iterations of stored SCRAM-SHA-256 keys (RFC 7677 asks at least 4096).")
    int scram_iterations() default 10000;

    @AttributeDefinition(name = "Reload check interval (ms)",
            description = "How often, at most, lookups check whether the file changed on disk.")
    long reload_check_interval() default 1000;
}
