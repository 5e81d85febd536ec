import dev.dynamo.runtime.DynamoEndpoint;
import io.reactivex.rxjava3.core.Single;
import io.smallrye.mutiny.Uni;
import reactor.core.publisher.Mono;
import java.util.function.IntPredicate;

/**
 * {@link ReactiveDepth} once the recursion is compiled, as in a server that has run a while: 20,000
 * recursions 30 levels deep first, then three bisections of the deepest level that completes on a
 * 1 MiB thread stack (the third is the one reported; the first still meets code the JIT has not
 * compiled at those depths). Run with and without {@code -javaagent}; see reliability.md, "Stack depth".
 */
public class WarmDepth {
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

    static boolean completes(IntPredicate r, int levels) {
        boolean[] done = new boolean[1];
        Thread t = new Thread(null, () -> { try { done[0] = r.test(levels); } catch (Throwable e) { done[0] = false; } }, "d", 1 << 20);
        t.start();
        try { t.join(); } catch (InterruptedException e) { throw new RuntimeException(e); }
        return done[0];
    }
    static int deepest(IntPredicate r) {
        int low = 1, high = 8000;
        while (low < high) { int mid = (low + high + 1) / 2; if (completes(r, mid)) low = mid; else high = mid - 1; }
        return low;
    }
    public static void main(String[] args) {
        for (int i = 0; i < 20000; i++) { mono(30).block(); single(30).blockingGet(); uni(30).await().indefinitely(); }
        StringBuilder out = new StringBuilder("warm deepest on 1 MiB:");
        for (int round = 0; round < 3; round++) {
            out.append(" mono=").append(deepest(n -> mono(n).block() == n)).append(" single=").append(deepest(n -> single(n).blockingGet() == n))
                    .append(" uni=").append(deepest(n -> uni(n).await().indefinitely() == n)).append(';');
        }
        System.out.println(out);
    }
}
