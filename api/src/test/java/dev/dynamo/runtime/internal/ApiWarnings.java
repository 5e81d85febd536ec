package dev.dynamo.runtime.internal;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The warnings this copy of the API logs during each test, in order; the log goes back to stderr
 * after it. {@code @RegisterExtension final ApiWarnings apiWarnings = new ApiWarnings();}
 */
final class ApiWarnings implements BeforeEachCallback, AfterEachCallback {
    private final List<String> messages = Collections.synchronizedList(new ArrayList<String>());

    /** The warnings so far, live. */
    List<String> messages() {
        return messages;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        messages.clear();
        ApiLog.setSink((level, message) -> {
            if (ApiLog.WARN.equals(level)) {
                messages.add(message);
            }
        });
    }

    @Override
    public void afterEach(ExtensionContext context) {
        ApiLog.setSink(null);
    }
}
