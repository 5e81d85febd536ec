package dev.dynamo.runtime.internal;

import java.util.List;

/** An application callback run before each scrape, e.g. to set gauges from a queue or a cache. */
final class UpdateCallback extends ScrapeCallback {
    private final Runnable callback;

    UpdateCallback(List<String> hierarchy, String description, Runnable callback) {
        super(hierarchy, description);
        this.callback = callback;
    }

    @Override
    String whileUnavailable() {
        return "the metrics it sets keep the values they had";
    }

    @Override
    void refresh() {
        callback.run();
    }

    @Override
    Object code() {
        return callback;
    }
}
