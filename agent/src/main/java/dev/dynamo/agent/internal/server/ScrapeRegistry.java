package dev.dynamo.agent.internal.server;

import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Predicate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A registry that knows, before collecting, which collectors a {@code name[]} scrape can need, so a
 * scrape for one {@code dynamo_component_} metric does not run the JVM collectors (thread dumps,
 * deadlock detection) at all.
 *
 * <p>simpleclient's own {@code filteredMetricFamilySamples} selects collectors by the names they
 * had when registered, which misses families created later; the API's collector creates its
 * families at run time. So a collector is registered either with its names (as simpleclient
 * does: described, or collected once) or with the prefix all of its families share
 * ({@link #registerNamedByPrefix}).
 */
public final class ScrapeRegistry extends CollectorRegistry {
    private static final List<String> SAMPLE_SUFFIXES =
            Arrays.asList("_total", "_created", "_count", "_sum", "_bucket", "_info", "_gcount", "_gsum");
    /**
     * The samples a collector that cannot tell its size ({@link SizedCollector}) is taken to give until it
     * was collected (only one that describes itself, else registering collects it): more than any of the
     * JVM's collectors gives (at most about 60), which are such collectors.
     */
    static final long UNCOLLECTED_SAMPLES = 100;
    /** The bytes of text each sample of such a collector is taken to take: more than the JVM metrics' lines (40-120). */
    static final long UNSIZED_LINE_BYTES = 200;

    private final List<Source> sources = new CopyOnWriteArrayList<Source>();

    public ScrapeRegistry() {
        super(false);
    }

    /** Registers {@code collector} under the names it describes, or, if it does not describe itself, collects now. */
    @Override
    public void register(Collector collector) {
        List<MetricFamilySamples> described = collector instanceof Collector.Describable
                ? ((Collector.Describable) collector).describe() : collector.collect();
        Set<String> names = new HashSet<String>();
        for (MetricFamilySamples family : described) {
            names.addAll(Arrays.asList(family.getNames()));
        }
        Source source = new Source(collector, names, null);
        long samples = Families.samplesOf(described);
        if (samples > 0 || !(collector instanceof Collector.Describable)) {
            source.lastSamples = samples;
        }
        add(source);
    }

    /** Registers {@code collector}, whose families come and go at run time, all named with {@code namePrefix}. */
    public void registerNamedByPrefix(Collector collector, String namePrefix) {
        add(new Source(collector, Collections.<String>emptySet(), namePrefix));
    }

    private synchronized void add(Source source) {
        for (Source existing : sources) {
            for (String name : source.names) {
                if (existing.names.contains(name)) {
                    throw new IllegalArgumentException("Failed to register Collector of type "
                            + source.collector.getClass().getSimpleName() + ": " + name
                            + " is already in use by another Collector of type "
                            + existing.collector.getClass().getSimpleName());
                }
            }
        }
        super.register(source.collector);
        sources.add(source);
    }

    @Override
    public synchronized void unregister(Collector collector) {
        super.unregister(collector);
        for (Source source : sources) {
            if (source.collector == collector) {
                sources.remove(source);
            }
        }
    }

    @Override
    public synchronized void clear() {
        super.clear();
        sources.clear();
    }

    @Override
    public Enumeration<MetricFamilySamples> metricFamilySamples() {
        return new Families(new ArrayList<Source>(sources), null);
    }

    @Override
    public Enumeration<MetricFamilySamples> filteredMetricFamilySamples(Set<String> includedNames) {
        if (includedNames == null || includedNames.isEmpty()) {
            return metricFamilySamples();
        }
        final Set<String> names = new HashSet<String>(includedNames);
        return filteredMetricFamilySamples(new Predicate<String>() {
            @Override
            public boolean test(String name) {
                return names.contains(name);
            }
        });
    }

    /** Runs the collectors that may have a sample {@code filter} accepts, and keeps those samples only. */
    @Override
    public Enumeration<MetricFamilySamples> filteredMetricFamilySamples(Predicate<String> filter) {
        if (filter == null) {
            return metricFamilySamples();
        }
        List<Source> selected = new ArrayList<Source>();
        for (Source source : sources) {
            if (source.prefix != null || source.mayMatch(filter)) {
                selected.add(source);
            }
        }
        // Keeps the samples filter accepts, and the families left with any.
        return new FamiliesKept(new Families(selected, filter), family -> family.filter(filter));
    }

    /**
     * The families of the collectors that may have a family or a sample named in {@code names},
     * unfiltered: the caller keeps what it asked for. A collector with a prefix runs only when a
     * name has that prefix; the others only when a name is one of theirs, with or without a
     * sample suffix ({@code _total}, {@code _bucket}...). Collectors that honour simpleclient's
     * {@code collect(Predicate)} are asked for the names only.
     */
    Enumeration<MetricFamilySamples> familiesNamed(Set<String> names) {
        return new Families(sourcesNamed(names), namedBy(names));
    }

    /**
     * How large the collection for a scrape of {@code names} will be ({@link #familiesNamed}, or every
     * family when {@code names} is empty), without collecting: a {@link SizedCollector} tells its own size;
     * another is taken at the samples its last collection gave ({@link #UNCOLLECTED_SAMPLES} before the first).
     */
    ScrapeSize sizeOf(Set<String> names) {
        List<Source> selected = names.isEmpty() ? new ArrayList<Source>(sources) : sourcesNamed(names);
        Predicate<String> filter = names.isEmpty() ? null : namedBy(names);
        ScrapeSize size = ScrapeSize.NOTHING;
        for (Source source : selected) {
            ScrapeSize told = source.collector instanceof SizedCollector
                    ? ((SizedCollector) source.collector).sizeOf(filter) : null;
            if (told == null) {
                long samples = source.lastSamples >= 0 ? source.lastSamples : UNCOLLECTED_SAMPLES;
                told = new ScrapeSize(samples, samples * UNSIZED_LINE_BYTES, 0);
            }
            size = size.plus(told);
        }
        return size;
    }

    private List<Source> sourcesNamed(Set<String> names) {
        List<Source> selected = new ArrayList<Source>();
        for (Source source : sources) {
            if (source.prefix != null ? anyStartsWith(names, source.prefix) : intersects(source.names, names)) {
                selected.add(source);
            }
        }
        return selected;
    }

    static Predicate<String> namedBy(final Set<String> names) {
        return new RequestedSamples(names);
    }

    /**
     * The samples a {@code name[]} query asks for ({@link #isOrBelongsTo}), which can tell at once of most
     * families that none of their samples is among them: the names of a family's samples and those asked
     * for are related only by adding and removing {@link #SAMPLE_SUFFIXES}, so they share their name
     * without any such suffix (no suffix ends another, so that name is one). Before, each family of the
     * API's was asked for its samples' names one by one, some 40 strings made per family: with 100,000
     * families a scrape of one small family took 0.5–0.85 s, longer than the whole page (a re-tester).
     */
    private static final class RequestedSamples implements Predicate<String> {
        private final Set<String> names;
        private final Set<String> stems = new HashSet<String>();

        RequestedSamples(Set<String> names) {
            this.names = names;
            for (String name : names) {
                stems.add(stem(name));
            }
        }

        @Override
        public boolean test(String sampleName) {
            return isOrBelongsTo(sampleName, names);
        }

        /** False where no sample of family {@code family} can be asked for; true where one may be. */
        boolean mayConcern(String family) {
            return stems.contains(stem(family));
        }
    }

    /** {@code name} without the {@link #SAMPLE_SUFFIXES} it ends with, one after the other. */
    static String stem(String name) {
        int end = name.length();
        boolean stripped = true;
        while (stripped) {
            stripped = false;
            for (String suffix : SAMPLE_SUFFIXES) {
                int start = end - suffix.length();
                if (start >= 0 && name.regionMatches(start, suffix, 0, suffix.length())) {
                    end = start;
                    stripped = true;
                    break;
                }
            }
        }
        return end == name.length() ? name : name.substring(0, end);
    }

    /** Whether family {@code family} can have a sample that {@code sampleNameFilter} accepts: itself, or a suffixed form. */
    public static boolean familyMayHave(String family, Predicate<String> sampleNameFilter) {
        if (sampleNameFilter instanceof RequestedSamples && !((RequestedSamples) sampleNameFilter).mayConcern(family)) {
            return false;
        }
        if (sampleNameFilter.test(family)) {
            return true;
        }
        for (String suffix : SAMPLE_SUFFIXES) {
            if (sampleNameFilter.test(family + suffix)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code name}, or the family or sample it is a suffixed form of, is in {@code names}. */
    static boolean isOrBelongsTo(String name, Set<String> names) {
        if (names.contains(name)) {
            return true;
        }
        for (String suffix : SAMPLE_SUFFIXES) {
            if (names.contains(name + suffix)
                    || (name.endsWith(suffix) && names.contains(name.substring(0, name.length() - suffix.length())))) {
                return true;
            }
        }
        return false;
    }

    private static boolean intersects(Set<String> ownNames, Set<String> requested) {
        for (String name : requested) {
            if (isOrBelongsTo(name, ownNames)) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyStartsWith(Set<String> names, String prefix) {
        for (String name : names) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static final class Source {
        final Collector collector;
        final Set<String> names;
        final String prefix;
        /** The samples of the last collection; -1 before the first. */
        volatile long lastSamples = -1;

        Source(Collector collector, Set<String> names, String prefix) {
            this.collector = collector;
            this.names = names;
            this.prefix = prefix;
        }

        boolean mayMatch(Predicate<String> filter) {
            for (String name : names) {
                if (filter.test(name)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Collects one collector at a time, as the page is written, so only one collector's families are held at once. */
    private static final class Families implements Enumeration<MetricFamilySamples> {
        private final Iterator<Source> sources;
        private final Predicate<String> filter;
        private Iterator<MetricFamilySamples> current = Collections.<MetricFamilySamples>emptyList().iterator();

        Families(List<Source> sources, Predicate<String> filter) {
            this.sources = sources.iterator();
            this.filter = filter;
        }

        @Override
        public boolean hasMoreElements() {
            while (!current.hasNext() && sources.hasNext()) {
                Source source = sources.next();
                List<MetricFamilySamples> collected = filter == null ? source.collector.collect()
                        : source.collector.collect(filter);
                if (filter == null) {
                    source.lastSamples = samplesOf(collected);
                }
                current = collected.iterator();
            }
            return current.hasNext();
        }

        static long samplesOf(List<MetricFamilySamples> families) {
            long samples = 0;
            for (MetricFamilySamples family : families) {
                samples += family.samples.size();
            }
            return samples;
        }

        @Override
        public MetricFamilySamples nextElement() {
            if (!hasMoreElements()) {
                throw new NoSuchElementException();
            }
            return current.next();
        }
    }
}
