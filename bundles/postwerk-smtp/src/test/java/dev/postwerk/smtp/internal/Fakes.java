package dev.postwerk.smtp.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;

import dev.postwerk.api.directory.AuthResult;
import dev.postwerk.api.directory.Principal;
import dev.postwerk.api.directory.Resolution;
import dev.postwerk.api.directory.ScramCredential;
import dev.postwerk.api.directory.UserDirectory;
import dev.postwerk.api.filter.FilterChain;
import dev.postwerk.api.filter.Verdict;
import dev.postwerk.api.mail.Envelope;
import dev.postwerk.api.mail.MailAddress;
import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.mail.Origin;
import dev.postwerk.api.mail.Recipient;
import dev.postwerk.api.queue.MailQueue;
import dev.postwerk.api.queue.QueueEntry;
import dev.postwerk.api.queue.QueueException;
import dev.postwerk.api.queue.SpoolWriter;
import dev.postwerk.api.sasl.FailureReason;
import dev.postwerk.api.sasl.SaslAuthenticator;
import dev.postwerk.api.sasl.SaslContext;
import dev.postwerk.api.sasl.SaslExchange;
import dev.postwerk.api.sasl.SaslResult;
import dev.postwerk.api.sasl.SaslStep;

/** Small, obviously correct stand-ins for the services an SMTP session uses. */
final class Fakes {

    private Fakes() {
    }

    /** A committed message as the queue got it. */
    record Committed(String id, Envelope envelope, byte[] content, Verdict.Changes changes) {
        String text() {
            return new String(content, StandardCharsets.UTF_8);
        }
    }

    /** Keeps committed messages in memory; counts writers begun and aborted. */
    static final class Queue implements MailQueue {
        final List<Committed> committed = new CopyOnWriteArrayList<>();
        final AtomicInteger begun = new AtomicInteger();
        final AtomicInteger aborted = new AtomicInteger();
        final List<String> retried = new CopyOnWriteArrayList<>();
        volatile boolean failCommit;
        /** Names of the threads that wrote content, with the octets written so far when they did. */
        final List<String> writers = new CopyOnWriteArrayList<>();

        @Override
        public SpoolWriter begin(Envelope envelope) {
            String id = "Q" + (begun.incrementAndGet() - 1);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream() {
                @Override
                public synchronized void write(byte[] b, int off, int len) {
                    writers.add(Thread.currentThread().getName() + "@" + size());
                    super.write(b, off, len);
                }
            };
            return new SpoolWriter() {
                boolean done;

                @Override
                public String queueId() {
                    return id;
                }

                @Override
                public OutputStream content() {
                    return bytes;
                }

                /** Like the spool: small messages in memory (written on the I/O thread), big ones "to a file" (on a worker). */
                @Override
                public boolean keepsInMemory(long octets) {
                    return !done && octets <= 64 * 1024;
                }

                @Override
                public MessageContent written() {
                    return MessageContent.ofBytes(bytes.toByteArray());
                }

                @Override
                public String commit(Envelope e, Verdict.Changes changes) throws QueueException {
                    if (failCommit) {
                        throw new QueueException("disk full");
                    }
                    done = true;
                    committed.add(new Committed(id, e, bytes.toByteArray(), changes));
                    return id;
                }

                @Override
                public void abort() {
                    if (!done) {
                        done = true;
                        aborted.incrementAndGet();
                    }
                }

                @Override
                public void close() {
                    abort();
                }
            };
        }

        @Override
        public List<QueueEntry> list() {
            return List.of();
        }

        @Override
        public Optional<QueueEntry> find(String queueId) {
            return Optional.empty();
        }

        @Override
        public boolean retry(String queueId) {
            return false;
        }

        @Override
        public int retryDomain(String domain) {
            retried.add(domain);
            return domain.equals("busy.test") ? 3 : 0;
        }

        @Override
        public boolean delete(String queueId) {
            return false;
        }
    }

    /** Local domain example.test with alice and bob (password "secret"), postmaster alias. */
    static final class Directory implements UserDirectory {
        final Map<String, Principal> users = new ConcurrentHashMap<>();

        Directory() {
            for (String name : List.of("alice@example.test", "bob@example.test", "postmaster@example.test")) {
                users.put(name, new Principal(name, List.of(MailAddress.parse(name)), false, OptionalLong.empty(),
                        OptionalLong.empty()));
            }
        }

        @Override
        public Set<String> localDomains() {
            return Set.of("example.test");
        }

        @Override
        public boolean isLocalDomain(String domain) {
            return domain.equalsIgnoreCase("example.test");
        }

        @Override
        public Optional<Principal> findUser(String login) {
            return Optional.ofNullable(users.get(login.toLowerCase()));
        }

        @Override
        public Resolution resolve(MailAddress recipient) {
            if (recipient.localPart().equals("boom")) {
                throw new IllegalStateException("directory bug");
            }
            Principal p = users.get(recipient.localPart().toLowerCase() + "@" + recipient.domain());
            return p == null ? Resolution.unknown()
                    : new Resolution(List.of(new Resolution.LocalTarget(p, Optional.empty())), List.of());
        }

        @Override
        public AuthResult verifyPassword(String login, char[] password) {
            Principal p = users.get(login.toLowerCase());
            return p != null && new String(password).equals("secret") ? AuthResult.success(p)
                    : AuthResult.failure(AuthResult.Outcome.INVALID_CREDENTIALS);
        }

        @Override
        public Optional<ScramCredential> scramCredential(String login, String hashName) {
            return Optional.empty();
        }
    }

    /** PLAIN and LOGIN over {@link Directory}; plaintext only under TLS unless allowed; failures delayed. */
    static final class Sasl implements SaslAuthenticator {
        final Directory directory;
        volatile Duration failureDelay = Duration.ZERO;
        volatile boolean blocked;

        Sasl(Directory directory) {
            this.directory = directory;
        }

        @Override
        public List<String> mechanisms(SaslContext context) {
            return context.secure() || context.plaintextAllowed() ? List.of("PLAIN", "LOGIN") : List.of();
        }

        @Override
        public SaslExchange exchange(String mechanism, SaslContext context) {
            return new SaslExchange() {
                int step;
                String user;
                boolean complete;

                @Override
                public String mechanism() {
                    return mechanism.toUpperCase();
                }

                @Override
                public SaslStep start(Optional<byte[]> initial) {
                    if (mechanism.equalsIgnoreCase("PLAIN")) {
                        return initial.filter(b -> b.length > 0).map(this::plain)
                                .orElseGet(() -> new SaslStep.Challenge(new byte[0]));
                    }
                    if (initial.isPresent() && initial.get().length > 0) {
                        user = new String(initial.get(), StandardCharsets.UTF_8);
                        step = 1;
                        return new SaslStep.Challenge("Password:".getBytes(StandardCharsets.US_ASCII));
                    }
                    return new SaslStep.Challenge("Username:".getBytes(StandardCharsets.US_ASCII));
                }

                @Override
                public SaslStep respond(byte[] response) {
                    if (mechanism.equalsIgnoreCase("PLAIN")) {
                        return plain(response);
                    }
                    if (step++ == 0) {
                        user = new String(response, StandardCharsets.UTF_8);
                        return new SaslStep.Challenge("Password:".getBytes(StandardCharsets.US_ASCII));
                    }
                    return result(user, new String(response, StandardCharsets.UTF_8));
                }

                private SaslStep plain(byte[] message) {
                    String[] parts = new String(message, StandardCharsets.UTF_8).split("\0", -1);
                    if (parts.length != 3) {
                        complete = true;
                        return new SaslResult.Failure(FailureReason.MALFORMED, Duration.ZERO);
                    }
                    return result(parts[1], parts[2]);
                }

                private SaslStep result(String login, String password) {
                    complete = true;
                    if (blocked) {
                        return new SaslResult.Failure(FailureReason.BLOCKED, Duration.ZERO);
                    }
                    AuthResult r = directory.verifyPassword(login, password.toCharArray());
                    return r.principal().<SaslStep>map(p -> new SaslResult.Success(p, p.name()))
                            .orElseGet(() -> new SaslResult.Failure(FailureReason.INVALID_CREDENTIALS, failureDelay));
                }

                @Override
                public boolean isComplete() {
                    return complete;
                }
            };
        }

        @Override
        public SaslResult login(SaslContext context, String login, char[] password) {
            return new SaslResult.Failure(FailureReason.UNSUPPORTED_MECHANISM, Duration.ZERO); // SMTP has no LOGIN command
        }
    }

    /** A chain whose verdicts tests set per stage; records what it saw. */
    static final class Filters implements FilterChain {
        volatile Function<Origin, Verdict> connect = o -> Verdict.proceed();
        volatile Function<Origin, Verdict> helo = o -> Verdict.proceed();
        volatile Function<Envelope, Verdict> mail = e -> Verdict.proceed();
        volatile BiFunction<Envelope, Recipient, Verdict> rcpt = (e, r) -> Verdict.proceed();
        volatile BiFunction<Envelope, MessageContent, Verdict> data = (e, c) -> Verdict.proceed();
        final List<String> seen = Collections.synchronizedList(new ArrayList<>());
        /** The stages this chain says it has filters for (none: the session calls it on the I/O thread). */
        volatile java.util.Set<FilterChain.Stage> registered = java.util.EnumSet.noneOf(FilterChain.Stage.class);

        @Override
        public boolean hasFilters(FilterChain.Stage stage) {
            return registered.contains(stage);
        }

        @Override
        public Verdict onConnect(Origin origin) {
            seen.add("connect");
            return connect.apply(origin);
        }

        @Override
        public Verdict onHelo(Origin origin) {
            seen.add("helo " + origin.heloName().orElse("?"));
            return helo.apply(origin);
        }

        @Override
        public Verdict onMailFrom(Envelope envelope) {
            seen.add("mail");
            return mail.apply(envelope);
        }

        @Override
        public Verdict onRcptTo(Envelope envelope, Recipient recipient) {
            seen.add("rcpt " + recipient.address());
            return rcpt.apply(envelope, recipient);
        }

        @Override
        public Verdict onData(Envelope envelope, MessageContent content) {
            try {
                seen.add("data " + content.size() + " " + new String(content.openStream().readAllBytes(), StandardCharsets.UTF_8).contains("Received:"));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return data.apply(envelope, content);
        }

        @Override
        public Verdict onDelivery(Envelope envelope, Recipient recipient, MessageContent content) {
            return Verdict.proceed();
        }

        @Override
        public List<FilterDescription> describe() {
            return List.of();
        }
    }
}
