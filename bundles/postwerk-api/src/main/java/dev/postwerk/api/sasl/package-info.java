/**
 * SASL authentication (RFC 4422) as SMTP AUTH, IMAP AUTHENTICATE and POP3 AUTH use it: the
 * mechanisms offered on a connection, server-side exchanges, and the brute-force guard.
 * Protocols handle the base64 framing and cancellation; everything else lives behind these types.
 */
@Export
@Version("1.0.0")
package dev.postwerk.api.sasl;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
