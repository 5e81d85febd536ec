package dev.dynamo.demo;

/** The options of {@code server} mode. */
final class ServerOptions {
    static final String USAGE = "usage: java -jar demo-target.jar server [--host H] [--port N] [--max-requests N]\n"
            + "  Serves POST /compute: the handler is @DynamoEndpoint(namespace = \"system\",\n"
            + "  component = \"component\", endpoint = \"endpoint\"); ?fail=true makes a request fail.\n"
            + "  --host H          address to bind (default 0.0.0.0)\n"
            + "  --port N          port to serve on, 0 for any free port (default 8080)\n"
            + "  --max-requests N  stop and exit after serving N requests (default 0: run until stopped)";

    final String host;
    final int port;
    final int maxRequests;

    private ServerOptions(String host, int port, int maxRequests) {
        this.host = host;
        this.port = port;
        this.maxRequests = maxRequests;
    }

    static ServerOptions parse(String[] args) throws UsageException {
        String host = "0.0.0.0";
        int port = 8080;
        int maxRequests = 0;
        Arguments arguments = new Arguments(args);
        while (arguments.hasNext()) {
            String option = arguments.next();
            switch (option) {
                case "--host":
                    host = arguments.value(option);
                    break;
                case "--port":
                    port = arguments.intValue(option, 0, 65535);
                    break;
                case "--max-requests":
                    maxRequests = arguments.intValue(option, 0, Integer.MAX_VALUE);
                    break;
                default:
                    throw new UsageException("unknown option '" + option + "'");
            }
        }
        return new ServerOptions(host, port, maxRequests);
    }
}
