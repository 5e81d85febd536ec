package dev.dynamo.it.styles;

import dev.dynamo.runtime.DynamoEndpoint;
import io.reactivex.rxjava3.core.Single;
import io.smallrye.mutiny.Uni;
import reactor.core.publisher.Mono;

import java.io.File;

/**
 * Handlers whose lazy values read a file when subscribed, for a SecurityManager whose policy lets
 * the application read it: the agent's frames inside the subscription must not take the
 * permission away. Prints {@code read mono=<b> single=<b> uni=<b>} (whether the file exists, or the
 * failure) and waits for stdin to close.
 *
 * <p>Argument: the file's path.
 */
public final class PermittedReadApp {
    private PermittedReadApp() {
    }

    @DynamoEndpoint(namespace = "it", component = "permitted", endpoint = "mono")
    static Mono<Boolean> mono(String path) {
        return Mono.fromCallable(() -> new File(path).exists());
    }

    @DynamoEndpoint(namespace = "it", component = "permitted", endpoint = "single")
    static Single<Boolean> single(String path) {
        return Single.fromCallable(() -> new File(path).exists());
    }

    @DynamoEndpoint(namespace = "it", component = "permitted", endpoint = "uni")
    static Uni<Boolean> uni(String path) {
        return Uni.createFrom().item(() -> new File(path).exists());
    }

    public static void main(String[] args) throws Exception {
        String path = args[0];
        System.out.println("read mono=" + read(() -> mono(path).block()) + " single="
                + read(() -> single(path).blockingGet()) + " uni=" + read(() -> uni(path).await().indefinitely()));
        System.out.flush();
        System.in.read();
    }

    private static String read(java.util.function.Supplier<Boolean> subscription) {
        try {
            return String.valueOf(subscription.get());
        } catch (RuntimeException refused) {
            return refused.toString().replace(' ', '_');
        }
    }
}
