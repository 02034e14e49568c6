/**
 * Mailbox storage as IMAP and POP3 see it: folders, UIDs, flags, MODSEQ, and change events for IDLE.
 */
@Export
@Version("1.1.0")
package dev.postwerk.api.store;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
