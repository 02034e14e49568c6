/**
 * Network listeners as protocols see them: lines, byte-counted and dot-terminated reads, STARTTLS. No MINA types leak out of the transport bundle.
 */
@Export
@Version("1.1.0")
package dev.postwerk.api.transport;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
