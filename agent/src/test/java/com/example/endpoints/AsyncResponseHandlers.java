package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Response;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** JAX-RS resource methods answering through an {@code AsyncResponse}, as Jersey serves them. */
@Path("/async")
public class AsyncResponseHandlers {
    public static final String NS = "jaxrs_test";
    private static final ExecutorService LATER = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "jaxrs-test-later");
        thread.setDaemon(true);
        return thread;
    });
    /** What {@link #later} waits for before it answers. */
    public static volatile CountDownLatch release = new CountDownLatch(1);

    @GET
    @Path("now")
    @DynamoEndpoint(namespace = NS, component = "jaxrs", endpoint = "now")
    public void now(@Suspended AsyncResponse response) {
        response.resume("now");
    }

    @GET
    @Path("later")
    @DynamoEndpoint(namespace = NS, component = "jaxrs", endpoint = "later")
    public void later(@Suspended AsyncResponse response) {
        CountDownLatch waitFor = release;
        LATER.execute(() -> {
            try {
                waitFor.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            response.resume("later");
        });
    }

    /** An exception no mapper takes: Jersey answers 500. */
    @GET
    @Path("unmapped")
    @DynamoEndpoint(namespace = NS, component = "jaxrs", endpoint = "unmapped")
    public void unmapped(@Suspended AsyncResponse response) {
        LATER.execute(() -> response.resume(new IllegalStateException("no mapper for this")));
    }

    /** A WebApplicationException, which JAX-RS turns into its response (404). */
    @GET
    @Path("mapped")
    @DynamoEndpoint(namespace = NS, component = "jaxrs", endpoint = "mapped")
    public void mapped(@Suspended AsyncResponse response) {
        LATER.execute(() -> response.resume(new NotFoundException("no such thing")));
    }

    @GET
    @Path("cancelled")
    @DynamoEndpoint(namespace = NS, component = "jaxrs", endpoint = "cancelled")
    public void cancelled(@Suspended AsyncResponse response) {
        LATER.execute(response::cancel);
    }

    /** Throws after suspending: the call ends with the exception, once. */
    @GET
    @Path("throws")
    @DynamoEndpoint(namespace = NS, component = "jaxrs", endpoint = "throws")
    public void throwsAfterSuspending(@Suspended AsyncResponse response) {
        throw new IllegalArgumentException("thrown by the method");
    }

    /** Never answers: Jersey answers 503 when the suspend timeout passes. */
    @GET
    @Path("timeout")
    @DynamoEndpoint(namespace = NS, component = "jaxrs", endpoint = "timeout")
    public void timeout(@Suspended AsyncResponse response) {
        response.setTimeout(100, TimeUnit.MILLISECONDS);
    }

    /** Answers from its timeout handler, which the runtime calls with the response. */
    @GET
    @Path("handled_timeout")
    @DynamoEndpoint(namespace = NS, component = "jaxrs", endpoint = "handled_timeout")
    public void handledTimeout(@Suspended AsyncResponse response) {
        response.setTimeoutHandler(timedOut -> timedOut.resume(Response.status(504).entity("too slow").build()));
        response.setTimeout(100, TimeUnit.MILLISECONDS);
    }

    /** The response the method was given, last. */
    public static volatile AsyncResponse given;

    /** Keeps the response it is given, as an application may in a map of pending requests. */
    @DynamoEndpoint(namespace = NS, component = "jaxrs", endpoint = "keeps")
    public void keeps(@Suspended AsyncResponse response) {
        given = response;
        response.resume("kept");
    }

    /** Passes its response to another measured method, which answers: one call each. */
    @GET
    @Path("outer")
    @DynamoEndpoint(namespace = NS, component = "jaxrs", endpoint = "outer")
    public void outer(@Suspended AsyncResponse response) {
        now(response);
    }
}
