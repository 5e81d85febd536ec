package dev.dynamo.runtime.internal;

import java.util.Arrays;

/**
 * A list that only grows, written by one thread at a time (under the owner's lock) and read
 * without any lock. Adding is amortized constant time: the backing array doubles when full and is
 * otherwise written in place past the published size, which no reader looks at. Copying the whole
 * list at every add, as a copy-on-write array does, made registering n items cost O(n²): thousands
 * of endpoint metrics at start-up.
 *
 * @param <T> the element type
 */
final class AppendOnlyArray<T> {
    private volatile View<T> view = new View<T>(new Object[4], 0);

    /** Appends {@code item}; the caller makes sure that no other thread adds at the same time. */
    void add(T item) {
        View<T> current = view;
        Object[] items = current.items;
        if (current.size == items.length) {
            items = Arrays.copyOf(items, items.length * 2);
        }
        items[current.size] = item;
        // The element is written before the view that counts it is published.
        view = new View<T>(items, current.size + 1);
    }

    /** The elements added so far; later adds do not change it. */
    View<T> view() {
        return view;
    }

    /** A fixed prefix of the list. */
    static final class View<T> {
        private final Object[] items;
        final int size;

        private View(Object[] items, int size) {
            this.items = items;
            this.size = size;
        }

        @SuppressWarnings("unchecked")
        T get(int index) {
            if (index >= size) {
                throw new IndexOutOfBoundsException(index + " >= " + size);
            }
            return (T) items[index];
        }
    }
}
