package dev.postwerk.api.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.postwerk.api.store.Flags.Flag;
import dev.postwerk.api.store.Mailbox.FlagChange;

class FlagsTest {

    private final Flags current = new Flags(Set.of(Flag.SEEN), Set.of("$Label1", "Work"));

    @Test
    void replaceAddAndRemoveAsImapStoreDoes() {
        Flags given = new Flags(Set.of(Flag.FLAGGED), Set.of("work", "Home"));
        assertEquals(given, current.apply(FlagChange.REPLACE, given));
        Flags added = current.apply(FlagChange.ADD, given);
        assertEquals(Set.of(Flag.SEEN, Flag.FLAGGED), added.system());
        assertEquals(3, added.keywords().size(), "Work and work are one keyword: " + added.keywords());
        Flags removed = current.apply(FlagChange.REMOVE, new Flags(Set.of(Flag.SEEN), Set.of("WORK")));
        assertEquals(Set.of(), removed.system());
        assertEquals(Set.of("$Label1"), Set.copyOf(removed.keywords()));
    }
}
