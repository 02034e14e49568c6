package dev.postwerk.store.memory.internal;

import java.util.Optional;
import java.util.OptionalLong;

import dev.postwerk.api.mail.MessageParser;
import dev.postwerk.api.store.MailboxStore;
import dev.postwerk.mime.internal.MimeMessageParser;
import dev.postwerk.testkit.store.MailboxStoreContract;

class MemoryMailboxStoreTest extends MailboxStoreContract {

    @Override
    protected MailboxStore newStore(OptionalLong storageLimit, OptionalLong messageLimit) {
        return new MemoryMailboxStore(storageLimit, messageLimit);
    }

    @Override
    protected Optional<MessageParser> messageParser() {
        return Optional.of(new MimeMessageParser());
    }

    @Override
    protected void bindParser(MailboxStore on, Optional<MessageParser> parser) {
        ((MemoryMailboxStore) on).parser(parser.orElse(null));
    }
}
