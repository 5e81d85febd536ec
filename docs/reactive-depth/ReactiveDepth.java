import dev.dynamo.runtime.DynamoEndpoint;
import io.reactivex.rxjava3.core.Single;
import io.smallrye.mutiny.Uni;
import reactor.core.publisher.Mono;

import java.util.function.IntPredicate;

/**
 * How deep a handler can recurse through the value it returns (a page fetching the next page through
 * {@code flatMap}, every value ready at once) on a 1 MiB thread stack: the deepest level that
 * completes, found by bisection, for a Reactor Mono, an RxJava Single and a Mutiny Uni, with a plain
 * method as the control. Run with and without {@code -javaagent}; see reliability.md, "Stack depth".
 */
public class ReactiveDepth {
    @DynamoEndpoint(namespace = "depth", component = "reactive", endpoint = "mono")
    static Mono<Integer> mono(int n) {
        return n == 0 ? Mono.just(0) : Mono.just(n).flatMap(x -> mono(n - 1)).map(x -> x + 1);
    }

    @DynamoEndpoint(namespace = "depth", component = "reactive", endpoint = "single")
    static Single<Integer> single(int n) {
        return n == 0 ? Single.just(0) : Single.just(n).flatMap(x -> single(n - 1)).map(x -> x + 1);
    }

    @DynamoEndpoint(namespace = "depth", component = "reactive", endpoint = "uni")
    static Uni<Integer> uni(int n) {
        return n == 0 ? Uni.createFrom().item(0) : Uni.createFrom().item(n).flatMap(x -> uni(n - 1)).map(x -> x + 1);
    }

    @DynamoEndpoint(namespace = "depth", component = "reactive", endpoint = "plain")
    static int plain(int n) {
        return n == 0 ? 0 : plain(n - 1) + 1;
    }

    /** Whether {@code levels} complete on a fresh 1 MiB thread; any failure (an overflow, however wrapped) is no. */
    static boolean completes(IntPredicate recursion, int levels) {
        boolean[] done = new boolean[1];
        Thread thread = new Thread(null, () -> {
            try {
                done[0] = recursion.test(levels);
            } catch (Throwable overflow) {
                done[0] = false;
            }
        }, "depth", 1 << 20);
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return done[0];
    }

    static int deepest(IntPredicate recursion) {
        return deepest(recursion, 200_000);
    }

    /** The deepest level of {@code recursion} that completes, at most {@code high}. */
    static int deepest(IntPredicate recursion, int high) {
        int low = 1;
        while (low < high) {
            int middle = (low + high + 1) / 2;
            if (completes(recursion, middle)) {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        return low;
    }

    public static void main(String[] args) {
        mono(3).block();
        single(3).blockingGet();
        uni(3).await().indefinitely();
        plain(3);
        System.out.println("deepest level on a 1 MiB stack: mono=" + deepest(n -> mono(n).block() == n)
                + " single=" + deepest(n -> single(n).blockingGet() == n)
                + " uni=" + deepest(n -> uni(n).await().indefinitely() == n)
                + " plain=" + deepest(n -> plain(n) == n));
    }
}
