package dev.postwerk.store.memory.internal;

import java.util.OptionalLong;

import dev.postwerk.api.store.MailboxStore;
import dev.postwerk.testkit.store.MailboxStoreContract;

class MemoryMailboxStoreTest extends MailboxStoreContract {

    @Override
    protected MailboxStore newStore(OptionalLong storageLimit, OptionalLong messageLimit) {
        return new MemoryMailboxStore(storageLimit, messageLimit);
    }
}
