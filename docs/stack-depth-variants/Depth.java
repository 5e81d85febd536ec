// Hand-written equivalents of the woven tiny method, for docs/reliability.md "Stack depth"; not built.
public final class Depth {
    static int deepest;

    static int v0(int level, int limit) {
        deepest = level;
        return level == limit ? 0 : v0(level + 1, limit) + 1;
    }

    // What the weaver emits today.
    static int v1(int level, int limit) {
        long start;
        try { start = Rec.enter(3); } catch (Throwable t) { start = 0; }
        try {
            deepest = level;
            int r = level == limit ? 0 : v1(level + 1, limit) + 1;
            try { Rec.exit(3, start); } catch (Throwable t) { if (start != 0) Rec.UNRECORDED[3]++; }
            return r;
        } catch (Throwable thrown) {
            try { Rec.exitThrown(thrown, 3, start); } catch (Throwable t) { if (start != 0) Rec.UNRECORDED[3]++; }
            throw thrown;
        }
    }

    // Start first in exit's arguments.
    static int v2(int level, int limit) {
        long start;
        try { start = Rec.enter(3); } catch (Throwable t) { start = 0; }
        try {
            deepest = level;
            int r = level == limit ? 0 : v2(level + 1, limit) + 1;
            try { Rec.exitS(start, 3); } catch (Throwable t) { if (start != 0) Rec.UNRECORDED[3]++; }
            return r;
        } catch (Throwable thrown) {
            try { Rec.exitThrown(thrown, 3, start); } catch (Throwable t) { if (start != 0) Rec.UNRECORDED[3]++; }
            throw thrown;
        }
    }

    // No guard around the exit, no handler for throws: what the frame would be without any fallback.
    static int v3(int level, int limit) {
        long start = Rec.enter(3);
        deepest = level;
        int r = level == limit ? 0 : v3(level + 1, limit) + 1;
        Rec.exit(3, start);
        return r;
    }

    // enter without an argument.
    static int v4(int level, int limit) {
        long start;
        try { start = Rec.enter0(); } catch (Throwable t) { start = 0; }
        try {
            deepest = level;
            int r = level == limit ? 0 : v4(level + 1, limit) + 1;
            try { Rec.exit(3, start); } catch (Throwable t) { if (start != 0) Rec.UNRECORDED[3]++; }
            return r;
        } catch (Throwable thrown) {
            try { Rec.exitThrown(thrown, 3, start); } catch (Throwable t) { if (start != 0) Rec.UNRECORDED[3]++; }
            throw thrown;
        }
    }

    // Fallback without the start check (always count).
    static int v5(int level, int limit) {
        long start;
        try { start = Rec.enter(3); } catch (Throwable t) { start = 0; }
        try {
            deepest = level;
            int r = level == limit ? 0 : v5(level + 1, limit) + 1;
            try { Rec.exit(3, start); } catch (Throwable t) { Rec.UNRECORDED[3]++; }
            return r;
        } catch (Throwable thrown) {
            try { Rec.exitThrown(thrown, 3, start); } catch (Throwable t) { Rec.UNRECORDED[3]++; }
            throw thrown;
        }
    }

    // An int start (microsecond ticks): half the bytes per level.
    static int v6(int level, int limit) {
        int start;
        try { start = Rec.enterI(3); } catch (Throwable t) { start = 0; }
        try {
            deepest = level;
            int r = level == limit ? 0 : v6(level + 1, limit) + 1;
            try { Rec.exitI(3, start); } catch (Throwable t) { if (start != 0) Rec.UNRECORDED[3]++; }
            return r;
        } catch (Throwable thrown) {
            try { Rec.exitThrown(thrown, 3, start); } catch (Throwable t) { if (start != 0) Rec.UNRECORDED[3]++; }
            throw thrown;
        }
    }

    static int run(String v, int limit) {
        switch (v) {
            case "v0": return v0(0, limit);
            case "v1": return v1(0, limit);
            case "v2": return v2(0, limit);
            case "v3": return v3(0, limit);
            case "v4": return v4(0, limit);
            case "v6": return v6(0, limit);
            default: return v5(0, limit);
        }
    }

    public static void main(String[] args) {
        String v = args[0];
        for (int i = 0; i < 200; i++) run(v, 2000);
        deepest = 0;
        try { run(v, Integer.MAX_VALUE); } catch (StackOverflowError e) { }
        System.out.println(v + " " + deepest);
    }
}
