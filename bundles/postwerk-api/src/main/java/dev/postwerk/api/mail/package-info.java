/**
 * Addresses (RFC 5321 paths, RFC 6531 internationalised), the SMTP envelope and raw message content.
 */
@Export
@Version("1.0.0")
package dev.postwerk.api.mail;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
