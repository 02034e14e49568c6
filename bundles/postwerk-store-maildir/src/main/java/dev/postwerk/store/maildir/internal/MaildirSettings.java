package dev.postwerk.store.maildir.internal;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;

import dev.postwerk.api.store.SpecialUse;

/**
 * The store's configuration as values.
 *
 * @param root the data folder holding {@code <domain>/<localpart>/} trees
 * @param storageLimit octets per user; empty for unlimited
 * @param messageLimit messages per user; empty for unlimited
 * @param specialFolders RFC 6154 folders made for each new user, by attribute
 */
record MaildirSettings(Path root, OptionalLong storageLimit, OptionalLong messageLimit,
        Map<SpecialUse, String> specialFolders) {

    MaildirSettings {
        root = root.toAbsolutePath().normalize();
        specialFolders = Collections.unmodifiableMap(new EnumMap<>(specialFolders));
    }

    /** The defaults of {@link MaildirStoreConfig} under another root: for tests and tools. */
    static MaildirSettings of(Path root, OptionalLong storageLimit, OptionalLong messageLimit) {
        return new MaildirSettings(root, storageLimit, messageLimit, defaultFolders());
    }

    static MaildirSettings from(MaildirStoreConfig config) {
        Map<SpecialUse, String> folders = new EnumMap<>(SpecialUse.class);
        folders.put(SpecialUse.DRAFTS, config.draftsFolder());
        folders.put(SpecialUse.SENT, config.sentFolder());
        folders.put(SpecialUse.JUNK, config.junkFolder());
        folders.put(SpecialUse.TRASH, config.trashFolder());
        folders.put(SpecialUse.ARCHIVE, config.archiveFolder());
        folders.values().removeIf(String::isBlank);
        return new MaildirSettings(dataFolder(config.dataFolder()), limit(config.storageQuota()),
                limit(config.messageQuota()), folders);
    }

    private static Map<SpecialUse, String> defaultFolders() {
        return Map.of(SpecialUse.DRAFTS, "Drafts", SpecialUse.SENT, "Sent", SpecialUse.JUNK, "Junk",
                SpecialUse.TRASH, "Trash", SpecialUse.ARCHIVE, "Archive");
    }

    private static Path dataFolder(String configured) {
        if (!configured.isBlank()) {
            return Paths.get(configured.trim());
        }
        String karafData = System.getProperty("karaf.data");
        return karafData == null || karafData.isBlank() ? Paths.get("data", "mail") : Paths.get(karafData, "mail");
    }

    private static OptionalLong limit(long value) {
        return value > 0 ? OptionalLong.of(value) : OptionalLong.empty();
    }
}
