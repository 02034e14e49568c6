package dev.postwerk.auth.file.internal;

import java.util.Locale;

import dev.postwerk.api.mail.MailAddress;

/**
 * How addresses match entries: domains always ignore case (MailAddress lower-cases them); local
 * parts ignore case when configured, as users expect though RFC 5321 §2.4 lets a server decide.
 *
 * @param caseInsensitiveLocalParts true to match {@code Alice@x} and {@code alice@x} to one entry
 * @param delimiter the plus-addressing separator ({@code +}); empty turns plus-addressing off
 */
record AddressRules(boolean caseInsensitiveLocalParts, String delimiter) {

    static final AddressRules DEFAULT = new AddressRules(true, "+");

    /** The lookup key of an address. */
    String key(MailAddress address) {
        return localKey(address.localPart()) + "@" + address.domain();
    }

    String localKey(String localPart) {
        return caseInsensitiveLocalParts ? localPart.toLowerCase(Locale.ROOT) : localPart;
    }
}
