package dev.dynamo.it.styles;

import dev.dynamo.runtime.DynamoEndpoint;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** JAX-RS resource methods answering through their {@code AsyncResponse}, on another thread. */
@Path("/")
public class JaxRsHandlers {
    private static final ScheduledExecutorService LATER = Executors.newScheduledThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "jaxrs-later");
        thread.setDaemon(true);
        return thread;
    });

    /** Answers 5 ms after it returned. */
    @GET
    @Path("later")
    @DynamoEndpoint(namespace = "it", component = "jaxrs", endpoint = "later")
    public void later(@Suspended AsyncResponse response) {
        LATER.schedule(() -> response.resume("later"), 5, TimeUnit.MILLISECONDS);
    }

    /** An exception JAX-RS turns into a 404 response. */
    @GET
    @Path("missing")
    @DynamoEndpoint(namespace = "it", component = "jaxrs", endpoint = "missing")
    public void missing(@Suspended AsyncResponse response) {
        LATER.execute(() -> response.resume(new NotFoundException("nothing here")));
    }

    /** An exception no mapper takes: a 500 response. */
    @GET
    @Path("failing")
    @DynamoEndpoint(namespace = "it", component = "jaxrs", endpoint = "failing")
    public void failing(@Suspended AsyncResponse response) {
        LATER.execute(() -> response.resume(new IllegalStateException("failed later")));
    }

    /** Cancelled: a 503 response. */
    @GET
    @Path("cancelled")
    @DynamoEndpoint(namespace = "it", component = "jaxrs", endpoint = "cancelled")
    public void cancelled(@Suspended AsyncResponse response) {
        LATER.execute(response::cancel);
    }

    @GET
    @Path("throwing")
    @DynamoEndpoint(namespace = "it", component = "jaxrs", endpoint = "throwing")
    public void throwing(@Suspended AsyncResponse response) {
        throw new IllegalArgumentException("thrown after suspending");
    }

    /** Never answered: Jersey answers 503 when the 100 ms suspend timeout passes. */
    @GET
    @Path("unanswered")
    @DynamoEndpoint(namespace = "it", component = "jaxrs", endpoint = "unanswered")
    public void unanswered(@Suspended AsyncResponse response) {
        response.setTimeout(100, TimeUnit.MILLISECONDS);
    }
}
