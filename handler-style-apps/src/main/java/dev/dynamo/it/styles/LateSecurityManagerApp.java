package dev.dynamo.it.styles;

import dev.dynamo.runtime.DynamoEndpoint;

import java.lang.reflect.Proxy;

/**
 * An application that installs a SecurityManager itself once it runs ({@code -Djava.security.manager=allow},
 * JDK 17), as some legacy servers and plugin hosts do, and only then loads its handlers: the agent's
 * transformer sees the JDK's package checks load their classes and weaves the handlers under the manager.
 * Concatenates a string with the manager and makes a proxy (the first package checks), calls the handler
 * {@code n} times (the argument), prints {@code done <n>} and waits for stdin to close.
 */
public final class LateSecurityManagerApp {
    private LateSecurityManagerApp() {
    }

    /** Loaded after the SecurityManager is installed. */
    static final class Handlers {
        private Handlers() {
        }

        @DynamoEndpoint(namespace = "it", component = "late_security_manager", endpoint = "handle")
        static int handle(int value) {
            return value + 1;
        }
    }

    @SuppressWarnings("removal")
    public static void main(String[] args) throws Exception {
        int calls = Integer.parseInt(args[0]);
        System.setSecurityManager(new SecurityManager());
        System.out.println("installed " + System.getSecurityManager().getClass().getName());
        Runnable proxy = (Runnable) Proxy.newProxyInstance(LateSecurityManagerApp.class.getClassLoader(),
                new Class<?>[] {Runnable.class}, (self, method, arguments) -> null);
        proxy.run();
        int sum = 0;
        for (int i = 0; i < calls; i++) {
            sum += Handlers.handle(i) - i;
        }
        AppChecks.check(sum == calls, "the handler answered wrong: " + sum);
        System.out.println("done " + calls);
        System.out.flush();
        System.in.read();
    }
}
