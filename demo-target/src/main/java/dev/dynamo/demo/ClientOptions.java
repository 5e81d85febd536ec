package dev.dynamo.demo;

/** The options of {@code client} mode. */
final class ClientOptions {
    static final String USAGE = "usage: java -jar demo-target.jar client [--host H] [--port N] [--requests N]"
            + " [--fail N] [--concurrency N]\n"
            + "  Sends requests to the demo server and checks every reply.\n"
            + "  --host H           server address (default 127.0.0.1)\n"
            + "  --port N           server port (default 8080)\n"
            + "  --requests N       requests to send (default 10)\n"
            + "  --fail N           how many of them ask the server to fail (?fail=true), expecting 500 (default 0)\n"
            + "  --concurrency N    requests in flight at once (default 1)\n"
            + "  Exits 0 when every request had the expected outcome, 1 otherwise.";

    final String host;
    final int port;
    final int requests;
    final int fail;
    final int concurrency;

    private ClientOptions(String host, int port, int requests, int fail, int concurrency) {
        this.host = host;
        this.port = port;
        this.requests = requests;
        this.fail = fail;
        this.concurrency = concurrency;
    }

    static ClientOptions parse(String[] args) throws UsageException {
        String host = "127.0.0.1";
        int port = 8080;
        int requests = 10;
        int fail = 0;
        int concurrency = 1;
        Arguments arguments = new Arguments(args);
        while (arguments.hasNext()) {
            String option = arguments.next();
            switch (option) {
                case "--host":
                    host = arguments.value(option);
                    break;
                case "--port":
                    port = arguments.intValue(option, 1, 65535);
                    break;
                case "--requests":
                    requests = arguments.intValue(option, 0, Integer.MAX_VALUE);
                    break;
                case "--fail":
                    fail = arguments.intValue(option, 0, Integer.MAX_VALUE);
                    break;
                case "--concurrency":
                    concurrency = arguments.intValue(option, 1, 1024);
                    break;
                default:
                    throw new UsageException("unknown option '" + option + "'");
            }
        }
        if (fail > requests) {
            throw new UsageException("--fail " + fail + " is more than --requests " + requests);
        }
        return new ClientOptions(host, port, requests, fail, concurrency);
    }
}
