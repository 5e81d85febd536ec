package com.example.endpoints;

import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.CompletionCallback;
import jakarta.ws.rs.container.TimeoutHandler;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An {@code AsyncResponse} without a JAX-RS runtime, as a unit test passes one: {@link #resume}
 * reports the end to the {@code CompletionCallback}s registered on it, as a runtime does once the
 * response is written.
 */
public class PlainAsyncResponse implements AsyncResponse {
    private final List<CompletionCallback> completions = new ArrayList<>();
    /** How often {@code register} was called. */
    public volatile int registrations;
    private boolean done;

    @Override
    public synchronized boolean resume(Object response) {
        return finish(null);
    }

    @Override
    public synchronized boolean resume(Throwable response) {
        return finish(null);
    }

    private boolean finish(Throwable unmapped) {
        if (done) {
            return false;
        }
        done = true;
        for (CompletionCallback completion : completions) {
            completion.onComplete(unmapped);
        }
        return true;
    }

    @Override
    public boolean cancel() {
        return false;
    }

    @Override
    public boolean cancel(int retryAfter) {
        return false;
    }

    @Override
    public boolean cancel(Date retryAfter) {
        return false;
    }

    @Override
    public boolean isSuspended() {
        return !done;
    }

    @Override
    public boolean isCancelled() {
        return false;
    }

    @Override
    public synchronized boolean isDone() {
        return done;
    }

    @Override
    public boolean setTimeout(long time, TimeUnit unit) {
        return true;
    }

    @Override
    public void setTimeoutHandler(TimeoutHandler handler) {
    }

    @Override
    public Collection<Class<?>> register(Class<?> callback) {
        return Collections.emptyList();
    }

    @Override
    public Map<Class<?>, Collection<Class<?>>> register(Class<?> callback, Class<?>... callbacks) {
        return Collections.emptyMap();
    }

    @Override
    public synchronized Collection<Class<?>> register(Object callback) {
        registrations++;
        if (callback instanceof CompletionCallback) {
            completions.add((CompletionCallback) callback);
            return Collections.singletonList(CompletionCallback.class);
        }
        return Collections.emptyList();
    }

    @Override
    public Map<Class<?>, Collection<Class<?>>> register(Object callback, Object... callbacks) {
        return Collections.emptyMap();
    }
}
