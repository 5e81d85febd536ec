package io.vertx.example;

import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.core.SingleObserver;

/**
 * An application's own Single in a package under {@code io.vertx.}, as Vert.x's examples are, which
 * adds nothing but an interface of the application's: its caller may cast to that interface.
 */
public final class TaggedSingle extends Single<String> implements Tagged {
    @Override
    protected void subscribeActual(SingleObserver<? super String> observer) {
        Single.just("tagged").subscribe(observer);
    }
}
