import dev.dynamo.runtime.DynamoEndpoint;
import io.smallrye.mutiny.Uni;
import io.reactivex.rxjava3.core.Single;

/**
 * Time per call of a handler returning a Mutiny {@code Uni} or an RxJava {@code Single} ready at
 * once, its caller blocking on it: 3 million calls of each, six rounds, the last three printed. A
 * plain loop, not JMH (HandlerStyleBenchmark has the Mono): run it with and without
 * {@code -javaagent}, and with two agents' jars, in one sitting; see handler-styles.md.
 */
public class ValueCallCost {
    @DynamoEndpoint(namespace = "loop", component = "reactive", endpoint = "uni")
    static Uni<Long> uni(long x) { return Uni.createFrom().item(x); }
    @DynamoEndpoint(namespace = "loop", component = "reactive", endpoint = "single")
    static Single<Long> single(long x) { return Single.just(x); }
    public static void main(String[] args) {
        long sum = 0;
        for (int round = 0; round < 6; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < 3_000_000; i++) sum += uni(i).await().indefinitely();
            long mid = System.nanoTime();
            for (int i = 0; i < 3_000_000; i++) sum += single(i).blockingGet();
            long end = System.nanoTime();
            if (round >= 3) System.out.printf("uni %.0f ns/call, single %.0f ns/call%n", (mid - start) / 3e6, (end - mid) / 3e6);
        }
        System.out.println(sum);
    }
}
