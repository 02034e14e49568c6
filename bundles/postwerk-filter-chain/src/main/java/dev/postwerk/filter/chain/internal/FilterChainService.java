package dev.postwerk.filter.chain.internal;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.postwerk.api.filter.FilterChain;
import dev.postwerk.api.filter.HeaderField;
import dev.postwerk.api.filter.MailFilter;
import dev.postwerk.api.filter.Verdict;
import dev.postwerk.api.mail.Envelope;
import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.mail.Origin;
import dev.postwerk.api.mail.Recipient;

/**
 * The filter chain. The filter list is dynamic (a filter bundle started or stopped takes effect
 * on the next call) and read afresh for every call. Each filter call runs on this component's
 * bounded pool so that a filter that hangs is abandoned after the time limit instead of hanging
 * the SMTP session or the delivery worker.
 */
@Component(service = FilterChain.class, configurationPid = FilterChainService.PID)
@Designate(ocd = FilterChainConfig.class)
public final class FilterChainService implements FilterChain {

    public static final String PID = "dev.postwerk.filter.chain";
    private static final Logger LOG = LoggerFactory.getLogger(FilterChainService.class);
    private static final Verdict FILTER_FAILED = Verdict.tempFail(451, "4.3.0",
            "Temporary local problem, please try again later");

    private final RankedFilters<MailFilter> filters = new RankedFilters<>();
    private volatile long timeoutMillis;
    private volatile ThreadPoolExecutor pool;

    @Activate
    public FilterChainService(FilterChainConfig config) {
        configure(config);
    }

    @Modified
    void configure(FilterChainConfig config) {
        this.timeoutMillis = Math.max(1, config.timeoutMillis());
        int threads = Math.max(1, config.threads());
        ThreadPoolExecutor old = pool;
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor fresh = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "postwerk-filter-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        fresh.allowCoreThreadTimeOut(true);
        pool = fresh;
        if (old != null) {
            old.shutdown();
        }
    }

    @Deactivate
    void deactivate() {
        pool.shutdownNow();
    }

    @Reference(service = MailFilter.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeFilter", updated = "updateFilter")
    void addFilter(ServiceReference<MailFilter> reference, MailFilter filter) {
        filters.add(reference, filter);
        LOG.info("Mail filter added: {} (ranking {})", name(reference, filter), ranking(reference));
    }

    void updateFilter(ServiceReference<MailFilter> reference, MailFilter filter) {
        filters.update(reference, filter);
    }

    void removeFilter(ServiceReference<MailFilter> reference) {
        filters.remove(reference);
        LOG.info("Mail filter removed: {}", reference.getProperty("component.name"));
    }

    @Override
    public Verdict onConnect(Origin origin) {
        return run(Stage.CONNECT, f -> f.onConnect(origin));
    }

    @Override
    public Verdict onHelo(Origin origin) {
        return run(Stage.HELO, f -> f.onHelo(origin));
    }

    @Override
    public Verdict onMailFrom(Envelope envelope) {
        return run(Stage.MAIL_FROM, f -> f.onMailFrom(envelope));
    }

    @Override
    public Verdict onRcptTo(Envelope envelope, Recipient recipient) {
        return run(Stage.RCPT_TO, f -> f.onRcptTo(envelope, recipient));
    }

    @Override
    public Verdict onData(Envelope envelope, MessageContent content) {
        return run(Stage.DATA, f -> f.onData(envelope, content));
    }

    @Override
    public Verdict onDelivery(Envelope envelope, Recipient recipient, MessageContent content) {
        return run(Stage.DELIVERY, f -> f.onDelivery(envelope, recipient, content));
    }

    @Override
    public List<FilterDescription> describe() {
        List<FilterDescription> list = new ArrayList<>();
        for (Map.Entry<ServiceReference<?>, MailFilter> e : filters.snapshot()) {
            ServiceReference<?> ref = e.getKey();
            list.add(new FilterDescription(name(ref, e.getValue()), ref.getBundle() == null ? "?"
                    : ref.getBundle().getSymbolicName(), ranking(ref), serviceId(ref), STAGES.get(e.getValue().getClass())));
        }
        return list;
    }

    @Override
    public boolean hasFilters(Stage stage) {
        for (Map.Entry<ServiceReference<?>, MailFilter> e : filters.snapshot()) {
            if (STAGES.get(e.getValue().getClass()).contains(stage)) {
                return true;
            }
        }
        return false;
    }

    /** {@link #stagesOf} per filter class: asked for every SMTP command, so looked up once. */
    private static final ClassValue<Set<Stage>> STAGES = new ClassValue<>() {
        @Override
        protected Set<Stage> computeValue(Class<?> type) {
            return Set.copyOf(stagesOf(type));
        }
    };

    /** The stages whose methods {@code type} overrides (the others are MailFilter's defaults). */
    static Set<Stage> stagesOf(Class<?> type) {
        Set<Stage> stages = EnumSet.noneOf(Stage.class);
        check(type, stages, Stage.CONNECT, "onConnect", Origin.class);
        check(type, stages, Stage.HELO, "onHelo", Origin.class);
        check(type, stages, Stage.MAIL_FROM, "onMailFrom", Envelope.class);
        check(type, stages, Stage.RCPT_TO, "onRcptTo", Envelope.class, Recipient.class);
        check(type, stages, Stage.DATA, "onData", Envelope.class, MessageContent.class);
        check(type, stages, Stage.DELIVERY, "onDelivery", Envelope.class, Recipient.class, MessageContent.class);
        return stages;
    }

    private static void check(Class<?> type, Set<Stage> stages, Stage stage, String method, Class<?>... parameters) {
        try {
            if (type.getMethod(method, parameters).getDeclaringClass() != MailFilter.class) {
                stages.add(stage);
            }
        } catch (NoSuchMethodException e) {
            // cannot happen for a MailFilter
        }
    }

    /**
     * Runs the stage through every filter in order. The first verdict other than Proceed ends
     * the chain; Proceed verdicts' changes are merged in chain order (headers appended, the
     * first folder named wins, a drop by anyone drops).
     */
    /**
     * Runs the filters that handle {@code stage}, in chain order. One that keeps MailFilter's
     * default for the stage is skipped, not called on the pool: it would only answer proceed, and
     * the hand-off would make a call that is free (see {@link #hasFilters}) block.
     */
    private Verdict run(Stage stage, Function<MailFilter, Verdict> call) {
        List<Map.Entry<ServiceReference<?>, MailFilter>> chain = filters.snapshot();
        if (chain.isEmpty()) {
            return Verdict.proceed();
        }
        List<HeaderField> addHeaders = new ArrayList<>();
        Set<String> removeHeaders = new LinkedHashSet<>();
        Optional<String> folder = Optional.empty();
        boolean drop = false;
        for (Map.Entry<ServiceReference<?>, MailFilter> entry : chain) {
            if (!STAGES.get(entry.getValue().getClass()).contains(stage)) {
                continue;
            }
            Verdict verdict = callOne(stage, entry.getKey(), entry.getValue(), call);
            if (verdict instanceof Verdict.Proceed proceed) {
                Verdict.Changes c = proceed.changes();
                addHeaders.addAll(c.addHeaders());
                removeHeaders.addAll(c.removeHeaders());
                if (folder.isEmpty()) {
                    folder = c.folder();
                }
                drop |= c.dropRecipient();
            } else {
                LOG.debug("Filter {} at {}: {}", name(entry.getKey(), entry.getValue()), stage, verdict);
                return verdict;
            }
        }
        if (addHeaders.isEmpty() && removeHeaders.isEmpty() && folder.isEmpty() && !drop) {
            return Verdict.proceed();
        }
        return Verdict.proceedWith(new Verdict.Changes(addHeaders, removeHeaders, folder, drop));
    }

    private Verdict callOne(Stage stage, ServiceReference<?> reference, MailFilter filter,
            Function<MailFilter, Verdict> call) {
        Future<Verdict> future;
        try {
            future = pool.submit(() -> call.apply(filter));
        } catch (RuntimeException e) {
            LOG.warn("Filter chain is stopping; {} stage answered with a temporary failure", stage);
            return FILTER_FAILED;
        }
        try {
            Verdict verdict = future.get(timeoutMillis, TimeUnit.MILLISECONDS);
            if (verdict == null) {
                LOG.warn("Filter {} returned no verdict at {}; temporary failure", name(reference, filter), stage);
                return FILTER_FAILED;
            }
            return verdict;
        } catch (TimeoutException e) {
            future.cancel(true);
            LOG.warn("Filter {} took longer than {} ms at {}; temporary failure", name(reference, filter),
                    timeoutMillis, stage);
            return FILTER_FAILED;
        } catch (ExecutionException e) {
            LOG.warn("Filter {} failed at {}; temporary failure", name(reference, filter), stage, e.getCause());
            return FILTER_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            return FILTER_FAILED;
        }
    }

    private static String name(ServiceReference<?> reference, Object filter) {
        Object name = reference.getProperty("component.name");
        return name != null ? name.toString() : filter.getClass().getName();
    }

    private static int ranking(ServiceReference<?> reference) {
        return reference.getProperty(Constants.SERVICE_RANKING) instanceof Integer i ? i : 0;
    }

    private static long serviceId(ServiceReference<?> reference) {
        return reference.getProperty(Constants.SERVICE_ID) instanceof Long l ? l : -1;
    }
}
