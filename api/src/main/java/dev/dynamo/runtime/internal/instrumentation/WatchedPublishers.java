package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.PublisherCalls.Call;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Publishers that no library operator can watch (a {@code Flow.Publisher} or Reactive Streams
 * {@code Publisher} of any other class, an RxJava without its operators): replaced by a proxy that
 * watches the first subscriber. Its {@code onComplete} or {@code onError}, a cancel of its
 * subscription, or a throw of the subscription ends the call; every item passes the proxy.
 */
final class WatchedPublishers {
    private static final String CORE_SUBSCRIBER = "reactor.core.CoreSubscriber";

    /** The proxy constructors that watch a publisher of each publisher interface, its subscriber and subscription. */
    private static final ClassCache<Watching> WATCHING = new ClassCache<Watching>() {
        @Override
        protected Watching compute(Class<?> publisherInterface) {
            return new Watching(publisherInterface);
        }
    };
    /** The proxy constructor for publishers of each class returned as an interface ({@link #proxyOf}). */
    private static final ClassCache<Constructor<?>> PROXIES = new ClassCache<Constructor<?>>() {
        @Override
        protected Constructor<?> compute(Class<?> type) {
            return proxyOf(type);
        }
    };

    private WatchedPublishers() {
    }

    /** A proxy of {@code publisherInterface} alone whose first subscriber is watched for {@code call}. */
    static Object watched(Call call, Object publisher, Class<?> publisherInterface) throws Throwable {
        Watching watching = WATCHING.get(publisherInterface);
        return watching.publisher.newInstance(new WatchedPublisher(call, publisher, watching));
    }

    /**
     * A proxy of every interface of {@code publisher}'s class whose first subscriber, through
     * {@code publisherInterface}, is watched for {@code call}; null when there is no such proxy ({@link #proxyOf}).
     */
    static Object watchedAsItsInterfaces(Call call, Object publisher, Class<?> publisherInterface) throws Throwable {
        Constructor<?> proxy = PROXIES.get(publisher.getClass());
        return proxy == null ? null : proxy.newInstance(new WatchedPublisher(call, publisher, WATCHING.get(publisherInterface)));
    }

    /**
     * The proxy class for a publisher of class {@code type} returned as a publisher interface: it has
     * every interface of the class, so that a caller that checks for one of them, or casts to it
     * ({@code AutoCloseable}, {@code HttpRequest.BodyPublisher}), still can. Null when no proxy class
     * can have them all, or none this class may call (a sealed interface, conflicting methods, an
     * interface of a package that a named module does not open):
     * then the publisher is not wrapped, and its call is timed to the method's return, rather than the
     * caller see an object that lacks one of its interfaces. A cast to the class itself, or a comparison
     * with the object the method returned, cannot hold for a proxy.
     */
    private static Constructor<?> proxyOf(Class<?> type) {
        Set<Class<?>> interfaces = new LinkedHashSet<Class<?>>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            interfaces.addAll(Arrays.asList(c.getInterfaces()));
        }
        try {
            Constructor<?> constructor = ClassCache.proxyConstructor(type.getClassLoader(),
                    interfaces.toArray(new Class<?>[0]));
            // With a package-private interface the proxy class is package-private too, in that package.
            constructor.setAccessible(true);
            return constructor;
        } catch (RuntimeException | LinkageError noProxy) {
            // Also a proxy in a module that does not open its package to this one.
            return null;
        }
    }

    /** The proxy constructors of one publisher interface (Reactive Streams or {@code Flow}) and its companions. */
    private static final class Watching {
        final Class<?> publisherInterface;
        final Constructor<?> publisher;
        final SubscriberProxies subscribers;
        final Constructor<?> subscription;

        Watching(Class<?> publisherInterface) {
            String prefix = publisherInterface.getName().substring(0, publisherInterface.getName().length()
                    - "Publisher".length());
            ClassLoader loader = publisherInterface.getClassLoader();
            this.publisherInterface = publisherInterface;
            try {
                this.publisher = ClassCache.proxyConstructor(publisherInterface);
                this.subscribers = new SubscriberProxies(Class.forName(prefix + "Subscriber", false, loader));
                this.subscription = ClassCache.proxyConstructor(Class.forName(prefix + "Subscription", false, loader));
            } catch (ClassNotFoundException incomplete) {
                throw new IllegalStateException(incomplete);
            }
        }
    }

    /**
     * The proxy constructor for each subscriber class: a proxy of the subscriber interface, or of
     * Reactor's {@code CoreSubscriber} when the subscriber is one, because Reactor reads a
     * subscription's {@code Context} from its subscriber ({@code currentContext()}), and a plain
     * subscriber proxy would hide the caller's {@code contextWrite}.
     */
    private static final class SubscriberProxies extends ClassCache<Constructor<?>> {
        private final Class<?> subscriberInterface;
        private final Constructor<?> plain;

        SubscriberProxies(Class<?> subscriberInterface) {
            this.subscriberInterface = subscriberInterface;
            this.plain = ClassCache.proxyConstructor(subscriberInterface);
        }

        @Override
        protected Constructor<?> compute(Class<?> subscriberType) {
            Class<?> core = ClassCache.interfaceNamed(subscriberType, CORE_SUBSCRIBER);
            return core != null && subscriberInterface.isAssignableFrom(core) ? ClassCache.proxyConstructor(core) : plain;
        }
    }

    /** A publisher proxy whose first subscriber is watched for the terminal signal. */
    private static final class WatchedPublisher extends ForwardingHandler {
        private final Call call;
        private final Watching watching;

        WatchedPublisher(Call call, Object publisher, Watching watching) {
            super(publisher);
            this.call = call;
            this.watching = watching;
        }

        @Override
        Object intercept(Object proxy, Method method, String name, int arity, Object[] args) throws Throwable {
            // A class may implement both publisher interfaces: either subscribe is the first subscription,
            // its subscriber and subscription proxied as its own interface's types.
            Watching through = name.equals("subscribe") && arity == 1 && args[0] != null
                    ? watchingOf(method.getDeclaringClass()) : null;
            if (through != null && PublisherCalls.subscribedQuietly(call)) {
                Object watched = args[0];
                try {
                    watched = through.subscribers.get(args[0].getClass())
                            .newInstance(new WatchedSubscriber(call, through, args[0]));
                } catch (Throwable failure) {
                    // Subscribed unwatched: timed to now. Here and below, at the top of an exhausted stack,
                    // where not even endQuietly's call fits, plain writes end the call (see PendingCall).
                    WovenCalls.lastFailure = failure;
                    WovenCalls.failureCount++;
                    try {
                        call.endQuietly(null, false);
                    } catch (Throwable noStack) {
                        if (call.state == PendingCall.OPEN) {
                            call.state = PendingCall.ENDED;
                            call.recorder.missedExits++;
                        }
                    }
                }
                try {
                    return forward(method, new Object[] {watched});
                } catch (Throwable thrown) {
                    // subscribe must not throw (Reactive Streams §1.9), nor a subscriber's methods (§2.13), but a
                    // publisher that does, or that emits at once to a subscriber that does, ends the call here:
                    // no signal will.
                    try {
                        call.endQuietly(thrown, false);
                    } catch (Throwable noStack) {
                        if (call.state == PendingCall.OPEN) {
                            call.state = PendingCall.ENDED;
                            call.recorder.missedExits++;
                        }
                    }
                    throw thrown;
                }
            }
            // A default method the class does not override (one that calls subscribe) runs on the proxy.
            return forward(proxy, method, args);
        }

        /** The watching of the publisher interface that declares {@code subscribe}, or null for another method's owner. */
        private Watching watchingOf(Class<?> declaring) {
            if (watching.publisherInterface.isAssignableFrom(declaring)) {
                return watching;
            }
            for (String name : new String[] {PublisherCalls.FLOW_PUBLISHER, PublisherCalls.REACTIVE_STREAMS_PUBLISHER}) {
                Class<?> publisherInterface = declaring.getName().equals(name) ? declaring
                        : ClassCache.interfaceNamed(declaring, name);
                if (publisherInterface != null) {
                    return WATCHING.get(publisherInterface);
                }
            }
            return null;
        }
    }

    /** The first subscriber: its {@code onError}/{@code onComplete}, or a cancel of its subscription, ends the call. */
    private static final class WatchedSubscriber extends ForwardingHandler {
        private final Call call;
        private final Watching watching;

        WatchedSubscriber(Call call, Watching watching, Object subscriber) {
            super(subscriber);
            this.call = call;
            this.watching = watching;
        }

        @Override
        Object intercept(Object proxy, Method method, String name, int arity, Object[] args) throws Throwable {
            Object[] forwarded = args;
            if (name.equals("onSubscribe") && arity == 1 && args[0] != null) {
                Object watched = args[0];
                try {
                    watched = watching.subscription.newInstance(new WatchedSubscription(call, args[0]));
                } catch (Throwable failure) {
                    // Not watched for a cancel; its signals still end the call.
                    WovenCalls.lastFailure = failure;
                    WovenCalls.failureCount++;
                }
                forwarded = new Object[] {watched};
            } else if (name.equals("onError") && arity == 1) {
                call.endQuietly((Throwable) args[0], false);
            } else if (name.equals("onComplete") && arity == 0) {
                call.endQuietly(null, false);
            }
            try {
                return forward(method, forwarded);
            } catch (Throwable thrown) {
                // A subscriber that throws (against Reactive Streams §2.13) ends the call with that error, on
                // whichever thread the publisher emits: the publisher may never signal again.
                call.endQuietly(thrown, false);
                throw thrown;
            }
        }
    }

    /** The first subscriber's subscription: {@code cancel()} ends the call as a cancellation. */
    private static final class WatchedSubscription extends ForwardingHandler {
        private final Call call;

        WatchedSubscription(Call call, Object subscription) {
            super(subscription);
            this.call = call;
        }

        @Override
        Object intercept(Object proxy, Method method, String name, int arity, Object[] args) throws Throwable {
            if (name.equals("cancel") && arity == 0) {
                call.endQuietly(null, true);
            }
            return forward(method, args);
        }
    }
}
