package com.example.endpoints

import dev.dynamo.runtime.DynamoEndpoint
import io.reactivex.rxjava3.core.Single
import io.reactivex.rxjava3.core.SingleObserver

import java.util.concurrent.TimeUnit

/**
 * A tracing wrapper written in Groovy: it only overrides subscribeActual, though Groovy gives every
 * class its GroovyObject interface and methods (getMetaClass, setMetaClass).
 */
class GroovyTracingSingle<T> extends Single<T> {
    private final Single<T> source

    GroovyTracingSingle(Single<T> source) {
        this.source = source
    }

    @Override
    protected void subscribeActual(SingleObserver<? super T> observer) {
        source.subscribe(observer)
    }
}

class GroovyWrappedValues {
    @DynamoEndpoint(namespace = "own_subclass_test", component = "groovy", endpoint = "wrapped")
    Single<String> wrapped(long millis) {
        new GroovyTracingSingle<String>(Single.timer(millis, TimeUnit.MILLISECONDS)
                .flatMap { tick -> Single.error(new IOException("backend down")) })
    }
}
