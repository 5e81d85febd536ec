// Hand-written equivalents of the woven tiny method, for docs/reliability.md "Stack depth"; not built.
public final class Rec {
    public static final int[] UNRECORDED = new int[16];
    static final java.util.concurrent.atomic.LongAdder REQ = new java.util.concurrent.atomic.LongAdder();
    static final java.util.concurrent.atomic.LongAdder DONE = new java.util.concurrent.atomic.LongAdder();
    public static long enter(int id) { REQ.increment(); long n = System.nanoTime(); return n == 0 ? 1 : n; }
    public static long enter0() { REQ.increment(); long n = System.nanoTime(); return n == 0 ? 1 : n; }
    public static void exit(int id, long start) { if (start != 0) DONE.add(System.nanoTime() - start); }
    public static void exitS(long start, int id) { if (start != 0) DONE.add(System.nanoTime() - start); }
    public static int enterI(int id) { REQ.increment(); int n = (int) (System.nanoTime() >>> 10); return n == 0 ? 1 : n; }
    public static void exitI(int id, int start) { if (start != 0) DONE.add((int) (System.nanoTime() >>> 10) - start); }
    public static void exitThrown(Throwable t, int id, long start) { if (start != 0) DONE.increment(); }
}
