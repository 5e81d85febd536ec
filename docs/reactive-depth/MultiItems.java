import dev.dynamo.runtime.DynamoEndpoint;
import io.smallrye.mutiny.Multi;

/** Time per item of a Multi of 10 million items returned by an annotated method, mapped, filtered and counted. */
public class MultiItems {
    @DynamoEndpoint(namespace = "items", component = "reactive", endpoint = "multi")
    static Multi<Integer> items(int count) {
        return Multi.createFrom().range(0, count);
    }
    public static void main(String[] args) {
        for (int round = 0; round < 5; round++) {
            long start = System.nanoTime();
            long n = items(10_000_000).map(i -> i * 2).filter(i -> i % 3 != 0).collect().with(java.util.stream.Collectors.counting()).await().indefinitely();
            if (round >= 2) System.out.printf("%d ms (%d items)%n", (System.nanoTime() - start) / 1_000_000, n);
        }
    }
}
