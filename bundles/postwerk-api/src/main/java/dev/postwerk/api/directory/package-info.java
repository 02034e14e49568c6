/**
 * Local domains, users, aliases and credential checks used by SMTP, IMAP and POP3 authentication.
 */
@Export
@Version("1.2.0")
package dev.postwerk.api.directory;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
