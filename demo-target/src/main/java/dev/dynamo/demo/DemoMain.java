package dev.dynamo.demo;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code java -jar demo-target.jar server|client [options]}: the Java counterpart of Dynamo's system
 * metrics example. Run the server with {@code -javaagent:dynamo-agent.jar} and {@code DYN_SYSTEM_PORT}
 * to see its metrics on {@code /metrics}.
 */
public final class DemoMain {
    static final String USAGE = "usage: java -jar demo-target.jar <server|client> [options]\n\n"
            + ServerOptions.USAGE + "\n\n" + ClientOptions.USAGE;
    static final int USAGE_ERROR = 2;

    private DemoMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs one mode; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        if (args.length == 0) {
            err.println(USAGE);
            return USAGE_ERROR;
        }
        String[] options = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "server":
                try {
                    return new DemoServer(ServerOptions.parse(options), out).run(err);
                } catch (UsageException bad) {
                    err.println("demo server: " + bad.getMessage() + "\n" + ServerOptions.USAGE);
                    return USAGE_ERROR;
                }
            case "client":
                try {
                    return new DemoClient(ClientOptions.parse(options)).run(out, err);
                } catch (UsageException bad) {
                    err.println("demo client: " + bad.getMessage() + "\n" + ClientOptions.USAGE);
                    return USAGE_ERROR;
                }
            case "-h":
            case "--help":
            case "help":
                out.println(USAGE);
                return 0;
            default:
                err.println("unknown mode '" + args[0] + "'\n" + USAGE);
                return USAGE_ERROR;
        }
    }
}
