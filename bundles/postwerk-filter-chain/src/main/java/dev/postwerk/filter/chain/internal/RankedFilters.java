package dev.postwerk.filter.chain.internal;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import org.osgi.framework.ServiceReference;

/**
 * The registered filters in chain order: higher {@code service.ranking} first, ties to the lower
 * {@code service.id}. {@link ServiceReference#compareTo} orders exactly the other way round
 * (ascending ranking, then descending id), so the chain is that order reversed; this is the one
 * place that orders filters.
 */
final class RankedFilters<F> {

    private final Map<ServiceReference<?>, F> filters =
            new ConcurrentSkipListMap<>(Comparator.<ServiceReference<?>>reverseOrder());

    void add(ServiceReference<?> reference, F filter) {
        filters.put(reference, filter);
    }

    void remove(ServiceReference<?> reference) {
        filters.remove(reference);
    }

    /** A ranking change moves the filter: re-insert under its new position. */
    void update(ServiceReference<?> reference, F filter) {
        filters.entrySet().removeIf(e -> e.getKey().equals(reference));
        filters.put(reference, filter);
    }

    /** A snapshot in chain order. */
    List<Map.Entry<ServiceReference<?>, F>> snapshot() {
        return List.copyOf(filters.entrySet());
    }
}
