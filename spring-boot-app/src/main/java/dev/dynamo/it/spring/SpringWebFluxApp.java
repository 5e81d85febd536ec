package dev.dynamo.it.spring;

import org.springframework.aop.support.AopUtils;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.reactive.context.ReactiveWebServerInitializedEvent;
import org.springframework.context.event.EventListener;

/**
 * A WebFlux application on Reactor Netty whose controllers and services carry {@code @DynamoEndpoint}
 * in every shape WebFlux accepts. Once it serves, it prints {@code spring app: port <n> pricing-proxy
 * <cglib|plain>} on stdout: the HTTP port, and whether Spring really proxied the validated service.
 */
@SpringBootApplication
public class SpringWebFluxApp {
    private final PricingService pricing;

    public SpringWebFluxApp(PricingService pricing) {
        this.pricing = pricing;
    }

    public static void main(String[] args) {
        SpringApplication.run(SpringWebFluxApp.class, args);
    }

    @EventListener
    public void serving(ReactiveWebServerInitializedEvent event) {
        System.out.println("spring app: port " + event.getWebServer().getPort() + " pricing-proxy "
                + (AopUtils.isCglibProxy(pricing) ? "cglib" : "plain"));
        System.out.flush();
    }
}
