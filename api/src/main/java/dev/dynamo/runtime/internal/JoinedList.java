package dev.dynamo.runtime.internal;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * The fixed label values followed by a series' own, read-only: a view, not a copy, because a
 * scrape of 10,000 series would otherwise copy 10,000 lists.
 */
final class JoinedList extends AbstractList<String> implements RandomAccess {
    private final List<String> head;
    private final List<String> tail;

    JoinedList(List<String> head, List<String> tail) {
        this.head = head;
        this.tail = tail;
    }

    @Override
    public String get(int index) {
        return index < head.size() ? head.get(index) : tail.get(index - head.size());
    }

    @Override
    public int size() {
        return head.size() + tail.size();
    }
}
