package dev.postwerk.api.transport;

/**
 * What the transport saw in a block of content.
 *
 * @param octets octets received (after dot-unstuffing for DATA), including those not delivered
 * @param overLimit true when {@code octets} passed the limit: data past it was counted, not delivered
 * @param bareLineEnds number of bare CRs and bare LFs seen (RFC 5321 §2.3.8 forbids them)
 * @param longestLine octets of the longest line, CRLF included (RFC 5321 §4.5.3.1.6 limit: 1000)
 */
public record ContentSummary(long octets, boolean overLimit, long bareLineEnds, long longestLine) {
}
