package org.springframework.samples.petclinic;

import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

/**
 * An application's own Mono in a package under {@code org.springframework.}, as Spring's sample
 * applications are: the application's, not Spring's, so its caller's cast to it must hold.
 */
public final class OwnerMono extends Mono<String> {
    public String owner() {
        return "george";
    }

    @Override
    public void subscribe(CoreSubscriber<? super String> subscriber) {
        Mono.just("owner").subscribe(subscriber);
    }
}
