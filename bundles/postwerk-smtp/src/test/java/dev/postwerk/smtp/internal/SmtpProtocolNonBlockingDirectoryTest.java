package dev.postwerk.smtp.internal;

/**
 * Every SMTP protocol test again with a directory that promises non-blocking lookups (as the
 * file directory does): RCPT is then checked on the network I/O thread, and only a quota check
 * the cache cannot answer goes to a worker.
 */
class SmtpProtocolNonBlockingDirectoryTest extends SmtpProtocolTest {

    @Override
    boolean directoryNonBlocking() {
        return true;
    }
}
