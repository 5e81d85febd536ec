package com.example.endpoints;

/** A superclass from an optional dependency, which {@code EndpointInstrumentationTest} leaves off a class path. */
public class OptionalBase {
}
