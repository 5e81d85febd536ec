// Hand-written shapes for docs/reliability.md "Stack depth" (cold descent): what sizes a C1 frame; not built.
// javac -d /tmp/v docs/stack-depth-variants/*.java && java -XX:TieredStopAtLevel=1 -XX:+UnlockDiagnosticVMOptions
//   -XX:CompileCommand=quiet -XX:CompileCommand=dontinline,Rec::* -XX:CompileCommand=dontinline,C1Frames::*
//   -XX:CompileCommand=print,C1Frames::<shape> -cp /tmp/v C1Frames <shape>      (the frame: "[sp+0x..] (sp of caller)")
public final class C1Frames {
    static int deepest;
    static final int[] UNRECORDED = new int[4];

    // The method alone (kept out of line, as C1 keeps any method over 35 bytes).
    static int plain(int level, int limit) {
        deepest = level;
        return level == limit ? 0 : plain(level + 1, limit) + 1;
    }

    // enter and exit, no handler: the start time and the returned value live across calls.
    static int noHandler(int level, int limit) {
        long start = Rec.enter(3);
        deepest = level;
        int r = level == limit ? 0 : noHandler(level + 1, limit) + 1;
        Rec.exit(3, start);
        return r;
    }

    // A handler that makes no call: the caught exception lives across none.
    static int handlerWithoutCall(int level, int limit) {
        long start = Rec.enter(3);
        try {
            deepest = level;
            int r = level == limit ? 0 : handlerWithoutCall(level + 1, limit) + 1;
            Rec.exit(3, start);
            return r;
        } catch (Throwable thrown) {
            UNRECORDED[(int) start & 3]++;
            throw thrown;
        }
    }

    // A handler that calls exitThrown and then rethrows: the exception lives across that call.
    static int handlerWithCall(int level, int limit) {
        long start = Rec.enter(3);
        try {
            deepest = level;
            int r = level == limit ? 0 : handlerWithCall(level + 1, limit) + 1;
            Rec.exit(3, start);
            return r;
        } catch (Throwable thrown) {
            Rec.exitThrown(thrown, 3, start);
            throw thrown;
        }
    }

    static int run(String shape, int limit) {
        switch (shape) {
            case "plain": return plain(0, limit);
            case "noHandler": return noHandler(0, limit);
            case "handlerWithoutCall": return handlerWithoutCall(0, limit);
            default: return handlerWithCall(0, limit);
        }
    }

    public static void main(String[] args) {
        String shape = args[0];
        for (int i = 0; i < 200; i++) {
            run(shape, 2000);
        }
        deepest = 0;
        try {
            run(shape, Integer.MAX_VALUE);
        } catch (StackOverflowError e) {
            // the depth is the answer
        }
        System.out.println(shape + " " + deepest);
    }
}
