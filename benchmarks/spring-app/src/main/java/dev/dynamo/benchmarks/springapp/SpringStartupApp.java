package dev.dynamo.benchmarks.springapp;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.lang.management.ManagementFactory;

/**
 * Starts the web application on a free port, calls every annotated controller method once through
 * the beans, prints the same figures as the generated start-up applications and exits.
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
        System.exit(SpringApplication.exit(context));
    }
}
