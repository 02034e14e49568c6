/**
 * The durable spool: SMTP streams accepted mail into it; delivery workers take it out.
 */
@Export
@Version("1.2.0")
package dev.postwerk.api.queue;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
