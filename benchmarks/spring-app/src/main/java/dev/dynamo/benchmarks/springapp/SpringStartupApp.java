package dev.dynamo.benchmarks.springapp;

import dev.dynamo.benchmarks.startup.AgentCostProbe;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.lang.management.ManagementFactory;

/**
 * Starts the web application on a free port, calls every annotated controller method once through
 * the beans, prints the same figures as the generated start-up applications and exits.
 *
 * <p>When the dynamo agent serves its metrics on a port given in {@code DYN_SYSTEM_PORT}, it also
 * prints what the agent says it cost the class loading of this start, from its own {@code /metrics}:
 * a figure that the whole-process times of an application this large cannot separate from the
 * application's own spread.
 */
@SpringBootApplication
public class SpringStartupApp {
    public static void main(String[] args) {
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
        String agentPort = System.getenv("DYN_SYSTEM_PORT");
        if (agentPort != null && agentPort.matches("[1-9][0-9]*")) {
            System.out.println(AgentCostProbe.read(Integer.parseInt(agentPort)));
        }
        System.exit(SpringApplication.exit(context));
    }
}
