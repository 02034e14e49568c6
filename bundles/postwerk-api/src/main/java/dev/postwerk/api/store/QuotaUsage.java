package dev.postwerk.api.store;

import java.util.OptionalLong;

/**
 * A user's use of storage against the limits (RFC 9208 STORAGE and MESSAGE resources).
 *
 * @param storageBytes octets in use
 * @param storageLimit octets allowed; empty when unlimited
 * @param messages messages in use
 * @param messageLimit messages allowed; empty when unlimited
 */
public record QuotaUsage(long storageBytes, OptionalLong storageLimit, long messages, OptionalLong messageLimit) {
}
