package dev.postwerk.filter.chain.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.EnumSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

import dev.postwerk.api.filter.FilterChain.Stage;
import dev.postwerk.api.filter.MailFilter;
import dev.postwerk.api.filter.Verdict;
import dev.postwerk.api.mail.Envelope;
import dev.postwerk.api.mail.MailAddress;
import dev.postwerk.api.mail.Origin;
import dev.postwerk.testkit.osgi.ConfigAnnotations;

class FilterChainServiceTest {

    private final FilterChainService chain = new FilterChainService(
            ConfigAnnotations.of(FilterChainConfig.class, Map.of("timeoutMillis", 300L)));
    private final Origin origin = new Origin("s1", "mx", new InetSocketAddress("127.0.0.1", 4000),
            Optional.of("client.test"), Optional.empty(), Optional.empty());
    private final Envelope envelope = new Envelope(Optional.of(MailAddress.parse("a@b.test")), List.of(), origin, Map.of());
    private final List<String> calls = new ArrayList<>();

    @AfterEach
    void stop() {
        chain.deactivate();
    }

    /** A ServiceReference ordered as the framework orders them (OSGi core §5.2.7). */
    record FakeReference(int ranking, long id) implements ServiceReference<MailFilter> {
        @Override
        public Object getProperty(String key) {
            return switch (key) {
                case Constants.SERVICE_RANKING -> ranking;
                case Constants.SERVICE_ID -> id;
                case "component.name" -> "filter-" + id;
                default -> null;
            };
        }

        @Override
        public String[] getPropertyKeys() {
            return new String[] {Constants.SERVICE_RANKING, Constants.SERVICE_ID};
        }

        @Override
        public Bundle getBundle() {
            return null;
        }

        @Override
        public Bundle[] getUsingBundles() {
            return null;
        }

        @Override
        public boolean isAssignableTo(Bundle bundle, String className) {
            return true;
        }

        @Override
        public int compareTo(Object other) {
            FakeReference o = (FakeReference) other;
            if (ranking != o.ranking) {
                return Integer.compare(ranking, o.ranking);
            }
            return Long.compare(o.id, id);
        }

        @Override
        public Dictionary<String, Object> getProperties() {
            return new Hashtable<>();
        }

        @Override
        public <A> A adapt(Class<A> type) {
            return null;
        }
    }

    private MailFilter recording(String name, Verdict verdict) {
        return new MailFilter() {
            @Override
            public Verdict onMailFrom(Envelope e) {
                calls.add(name);
                return verdict;
            }
        };
    }

    @Test
    void runsByRankingHighestFirstAndTiesByLowerServiceId() {
        chain.addFilter(new FakeReference(10, 5), recording("low", Verdict.proceed()));
        chain.addFilter(new FakeReference(5000, 7), recording("policy-b", Verdict.proceed()));
        chain.addFilter(new FakeReference(5000, 6), recording("policy-a", Verdict.proceed()));
        chain.addFilter(new FakeReference(20000, 9), recording("guard", Verdict.proceed()));
        assertEquals(Verdict.proceed(), chain.onMailFrom(envelope));
        assertEquals(List.of("guard", "policy-a", "policy-b", "low"), calls);
        assertEquals(List.of(9L, 6L, 7L, 5L), chain.describe().stream().map(d -> d.serviceId()).toList());
    }

    @Test
    void firstRejectionEndsTheChain() {
        chain.addFilter(new FakeReference(2, 1), recording("rejecter", Verdict.reject(550, "5.7.1", "no")));
        chain.addFilter(new FakeReference(1, 2), recording("never", Verdict.proceed()));
        Verdict v = chain.onMailFrom(envelope);
        assertEquals(550, assertInstanceOf(Verdict.Reject.class, v).reply().code());
        assertEquals(List.of("rejecter"), calls);
    }

    @Test
    void changesAreMergedInChainOrderAndTheFirstFolderWins() {
        chain.addFilter(new FakeReference(2, 1), recording("a", Verdict.proceedWith(Verdict.Changes.addHeader("X-A", "1"))));
        chain.addFilter(new FakeReference(1, 2), recording("b", Verdict.proceedWith(Verdict.Changes.fileInto("Junk"))));
        chain.addFilter(new FakeReference(0, 3), recording("c", Verdict.proceedWith(Verdict.Changes.fileInto("Other"))));
        Verdict.Changes c = assertInstanceOf(Verdict.Proceed.class, chain.onMailFrom(envelope)).changes();
        assertEquals("X-A", c.addHeaders().get(0).name());
        assertEquals(Optional.of("Junk"), c.folder());
    }

    @Test
    void aThrowingFilterGivesATemporaryFailure() {
        chain.addFilter(new FakeReference(1, 1), new MailFilter() {
            @Override
            public Verdict onHelo(Origin o) {
                throw new IllegalStateException("bug in a plugin");
            }
        });
        Verdict v = chain.onHelo(origin);
        assertEquals(451, assertInstanceOf(Verdict.TempFail.class, v).reply().code());
    }

    @Test
    void aHangingFilterIsAbandonedAfterItsTimeLimit() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        chain.addFilter(new FakeReference(1, 1), new MailFilter() {
            @Override
            public Verdict onConnect(Origin o) {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Verdict.proceed();
            }
        });
        assertEquals("4.3.0", assertInstanceOf(Verdict.TempFail.class, chain.onConnect(origin)).reply().status());
    }

    @Test
    void aFilterRemovedIsNotCalledAgain() {
        FakeReference ref = new FakeReference(1, 1);
        chain.addFilter(ref, recording("gone", Verdict.reject(550, "5.7.1", "no")));
        chain.removeFilter(ref);
        assertEquals(Verdict.proceed(), chain.onMailFrom(envelope));
        assertTrue(calls.isEmpty());
    }

    @Test
    void describesTheStagesAFilterImplements() {
        MailFilter f = new MailFilter() {
            @Override
            public Verdict onRcptTo(Envelope e, dev.postwerk.api.mail.Recipient r) {
                return Verdict.proceed();
            }

            @Override
            public Verdict onData(Envelope e, dev.postwerk.api.mail.MessageContent c) {
                return Verdict.proceed();
            }
        };
        assertEquals(EnumSet.of(Stage.RCPT_TO, Stage.DATA), FilterChainService.stagesOf(f.getClass()));
    }

    /**
     * The SMTP session asks hasFilters before each stage to run it on the I/O thread; a filter
     * that keeps a stage's default is neither counted there nor called there (through the pool).
     */
    @Test
    void hasFiltersAnswersPerStageAndOnlyFiltersOfTheStageAreCalled() {
        assertFalse(chain.hasFilters(Stage.MAIL_FROM));
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        MailFilter dataOnly = new MailFilter() {
            @Override
            public Verdict onData(Envelope e, dev.postwerk.api.mail.MessageContent c) {
                threads.add(Thread.currentThread().getName());
                return Verdict.proceed();
            }
        };
        chain.addFilter(new FakeReference(0, 1), dataOnly);
        assertTrue(chain.hasFilters(Stage.DATA));
        assertFalse(chain.hasFilters(Stage.MAIL_FROM));
        assertFalse(chain.hasFilters(Stage.CONNECT));
        // the default onMailFrom is not run on the filter pool: nothing waits for a thread
        assertEquals(Verdict.proceed(), chain.onMailFrom(envelope));
        assertEquals(Verdict.proceed(), chain.onData(envelope, dev.postwerk.api.mail.MessageContent.ofBytes(new byte[0])));
        assertEquals(1, threads.size());
        assertTrue(threads.iterator().next().startsWith("postwerk-filter-"), threads.toString());
        chain.removeFilter(new FakeReference(0, 1));
        assertFalse(chain.hasFilters(Stage.DATA));
    }
}
