package dev.postwerk.store.maildir.internal;

import java.nio.file.Path;
import java.util.OptionalLong;

import dev.postwerk.api.mail.MessageParser;
import dev.postwerk.api.store.MailboxStore;

/** Builds and stops the real Maildir store outside OSGi, for other bundles' tests and embedding. Not exported. */
public final class MaildirTestAccess {
    private MaildirTestAccess() {
    }

    public static MailboxStore create(Path root) {
        return new MaildirStore(MaildirSettings.of(root, OptionalLong.empty(), OptionalLong.empty()));
    }

    /** What DS does when a {@link MessageParser} service comes (or, with null, goes). */
    public static void parser(MailboxStore store, MessageParser parser) {
        ((MaildirStore) store).parser(parser);
    }

    /** What DS does when the store bundle stops: sessions holding its folders get UNAVAILABLE. */
    public static void stop(MailboxStore store) {
        ((MaildirStore) store).deactivate();
    }
}
