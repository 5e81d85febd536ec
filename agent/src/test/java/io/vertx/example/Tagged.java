package io.vertx.example;

/** An interface of the application's, with a default method its callers reach by a cast. */
public interface Tagged {
    default String tag() {
        return "example";
    }
}
