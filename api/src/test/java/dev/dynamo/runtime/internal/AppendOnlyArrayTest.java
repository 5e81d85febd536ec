package dev.dynamo.runtime.internal;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AppendOnlyArrayTest {
    @Test
    void keepsEveryElementInOrderAcrossGrowth() {
        AppendOnlyArray<Integer> array = new AppendOnlyArray<Integer>();
        for (int i = 0; i < 1000; i++) {
            array.add(i);
        }

        AppendOnlyArray.View<Integer> view = array.view();
        assertEquals(1000, view.size);
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, view.get(i).intValue());
        }
    }

    @Test
    void aViewTakenEarlierDoesNotChangeWithLaterAdds() {
        AppendOnlyArray<String> array = new AppendOnlyArray<String>();
        array.add("a");
        array.add("b");
        AppendOnlyArray.View<String> before = array.view();

        for (int i = 0; i < 10; i++) {
            array.add("later" + i);
        }

        assertEquals(2, before.size);
        assertEquals("b", before.get(1));
        assertThrows(IndexOutOfBoundsException.class, () -> before.get(2));
    }

    @Test
    void aReaderWithoutLockSeesEveryElementItsViewCounts() throws InterruptedException {
        AppendOnlyArray<Integer> array = new AppendOnlyArray<Integer>();
        AtomicReference<String> failure = new AtomicReference<String>();
        Thread reader = new Thread(() -> {
            for (int round = 0; round < 20_000; round++) {
                AppendOnlyArray.View<Integer> view = array.view();
                for (int i = 0; i < view.size; i++) {
                    Integer value = view.get(i);
                    if (value == null || value != i) {
                        failure.compareAndSet(null, "element " + i + " of " + view.size + " was " + value);
                    }
                }
            }
        });
        reader.start();
        for (int i = 0; i < 5_000; i++) {
            array.add(i);
        }
        reader.join();

        assertNull(failure.get());
    }
}
