import java.util.function.IntPredicate;

/**
 * {@link ReactiveDepth} once the recursion is compiled, as in a server that has run a while: 20,000
 * recursions 30 levels deep first, then three bisections of the deepest level that completes on a
 * 1 MiB thread stack (the third is the one reported; the first still meets code the JIT has not
 * compiled at those depths). Its handlers and bisection are {@link ReactiveDepth}'s. Run with and
 * without {@code -javaagent}; see reliability.md, "Stack depth".
 */
public class WarmDepth {
    public static void main(String[] args) {
        for (int i = 0; i < 20000; i++) {
            ReactiveDepth.mono(30).block();
            ReactiveDepth.single(30).blockingGet();
            ReactiveDepth.uni(30).await().indefinitely();
        }
        StringBuilder out = new StringBuilder("warm deepest on 1 MiB:");
        for (int round = 0; round < 3; round++) {
            out.append(" mono=").append(deepest(n -> ReactiveDepth.mono(n).block() == n))
                    .append(" single=").append(deepest(n -> ReactiveDepth.single(n).blockingGet() == n))
                    .append(" uni=").append(deepest(n -> ReactiveDepth.uni(n).await().indefinitely() == n)).append(';');
        }
        System.out.println(out);
    }

    private static int deepest(IntPredicate recursion) {
        return ReactiveDepth.deepest(recursion, 8000);
    }
}
