package dev.dynamo.benchmarks.springapp;

import dev.dynamo.benchmarks.startup.AgentCostProbe;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.lang.management.ManagementFactory;

/**
 * Starts the web application on a free port, calls every annotated controller method once through
 * the beans, prints the same figures as the generated start-up applications and exits.
 *
 * <p>When the dynamo agent serves its metrics on a port given in {@code DYN_SYSTEM_PORT}, it also
 * prints what the agent says it cost the class loading of this start, from its own {@code /metrics}:
 * a figure that the whole-process times of an application this large cannot separate from the
 * application's own spread.
 *
 * <p>With {@code -Dbench.serve=true} (the load benchmark) it keeps serving instead: it prints
 * {@code SERVING port=<port>} and exits when its standard input closes.
 */
@SpringBootApplication
public class SpringStartupApp {
    public static void main(String[] args) throws IOException {
        long mainStart = System.currentTimeMillis();
        ConfigurableApplicationContext context = SpringApplication.run(SpringStartupApp.class, args);
        long sum = context.getBean(OrderController.class).order(3).length()
                + context.getBean(OrderController.class).cancel(4).length()
                + context.getBean(InventoryController.class).stock("apple")
                + context.getBean(InventoryController.class).restock("pear", 2)
                + context.getBean(PricingController.class).price("apple", 3)
                + context.getBean(PricingController.class).discount(10);
        long mainEnd = System.currentTimeMillis();
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        System.out.println("START_TO_MAIN_MS=" + (mainStart - jvmStart) + " MAIN_MS=" + (mainEnd - mainStart)
                + " CPU_MS=" + cpu / 1_000_000 + " SUM=" + sum);
        if (Boolean.getBoolean("bench.serve")) {
            System.out.println("SERVING port=" + context.getEnvironment().getProperty("local.server.port"));
            while (System.in.read() >= 0) {
                // Serves until the benchmark closes this process's standard input.
            }
            System.exit(SpringApplication.exit(context));
        }
        String agentPort = System.getenv("DYN_SYSTEM_PORT");
        if (agentPort != null && agentPort.matches("[1-9][0-9]*")) {
            System.out.println(AgentCostProbe.read(Integer.parseInt(agentPort)));
        }
        System.exit(SpringApplication.exit(context));
    }
}
