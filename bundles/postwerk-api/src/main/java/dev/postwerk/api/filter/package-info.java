/**
 * The integrator's contract: a {@link dev.postwerk.api.filter.MailFilter} sees each SMTP stage and local delivery and answers a {@link dev.postwerk.api.filter.Verdict}.
 */
@Export
@Version("1.2.0")
package dev.postwerk.api.filter;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
