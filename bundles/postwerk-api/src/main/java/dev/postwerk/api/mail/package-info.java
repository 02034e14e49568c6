/**
 * Addresses (RFC 5321 paths, RFC 6531 internationalised), the SMTP envelope, raw message content, and
 * the ENVELOPE fields and MIME structure of a message as IMAP FETCH needs them ({@link
 * dev.postwerk.api.mail.MessageParser}, since 1.1).
 */
@Export
@Version("1.1.0")
package dev.postwerk.api.mail;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
