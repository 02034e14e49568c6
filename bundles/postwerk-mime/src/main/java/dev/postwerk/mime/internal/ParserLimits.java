package dev.postwerk.mime.internal;

/**
 * Bounds on the work one message may cause, so hostile mail cannot exhaust the stack or memory
 * (Dovecot has the same two limits, 100 and 10,000 by default, since CVE-2020-12100).
 *
 * @param maxDepth nesting of multiparts and embedded messages beyond which an entity is not
 *        descended into (it is described as text/plain)
 * @param maxParts entities (parts and embedded messages) listed per message; parts beyond are
 *        not listed, their octets stay in the enclosing multipart's body
 * @param maxFieldOctets octets of one header field value kept (longer values are cut); bounds
 *        memory per parse, since every other octet is streamed
 */
record ParserLimits(int maxDepth, int maxParts, int maxFieldOctets) {

    static final ParserLimits DEFAULT = new ParserLimits(100, 10_000, 256 * 1024);

    ParserLimits {
        if (maxDepth < 1 || maxParts < 1 || maxFieldOctets < 1024) {
            throw new IllegalArgumentException(
                    "limits too low: depth " + maxDepth + ", parts " + maxParts + ", field octets " + maxFieldOctets);
        }
    }
}
