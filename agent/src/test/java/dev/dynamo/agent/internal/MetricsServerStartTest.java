package dev.dynamo.agent.internal;

import dev.dynamo.agent.internal.config.AgentConfig;
import org.junit.jupiter.api.Test;

import java.net.BindException;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsServerStartTest {

    private static AgentConfig config(String host, String port) {
        Map<String, String> env = new HashMap<String, String>();
        env.put("DYN_SYSTEM_HOST", host);
        env.put("DYN_SYSTEM_PORT", port);
        return AgentConfig.fromEnvironment(env);
    }

    @Test
    void tellsAnAddressOfAnotherMachineFromATakenPort() {
        String foreign = MetricsServerStart.bindFailure(config("10.255.255.1", "9000"), "10.255.255.1:9000",
                new BindException("Cannot assign requested address"));
        String taken = MetricsServerStart.bindFailure(config("127.0.0.1", "9000"), "127.0.0.1:9000",
                new BindException("Address already in use"));

        assertTrue(foreign.contains("10.255.255.1 is not an address of this machine; set DYN_SYSTEM_HOST"), foreign);
        assertTrue(!foreign.contains("in use"), foreign);
        assertTrue(taken.contains("port 9000 is already in use; set DYN_SYSTEM_PORT"), taken);
        assertTrue(taken.endsWith("The application runs on without the metrics server"), taken);
    }

    @Test
    void namesAPrivilegedPort() {
        String denied = MetricsServerStart.bindFailure(config("0.0.0.0", "80"), "0.0.0.0:80",
                new BindException("Permission denied"));

        assertTrue(denied.contains("port 80 needs privileges"), denied);
    }

    @Test
    void saysALinkLocalAddressNeedsItsInterfaceAndWhatIsAccepted() {
        String linkLocal = MetricsServerStart.bindFailure(config("fe80::1", "9000"), "[fe80::1]:9000",
                new SocketException("Invalid argument"));

        assertTrue(linkLocal.startsWith("cannot serve metrics on [fe80::1]:9000: fe80::1 is a link-local IPv6 address,"
                + " which is bound only with its interface (fe80::1%eth0"), linkLocal);
        assertTrue(linkLocal.contains("0.0.0.0 for every interface, 127.0.0.1 for loopback only"), linkLocal);
    }

    @Test
    void saysAHostThatDoesNotResolveAndWhatIsAccepted() {
        String unresolved = MetricsServerStart.unresolvedHost(config("nonexistent.invalid", "9000"),
                "nonexistent.invalid:9000", 3);

        assertTrue(unresolved.startsWith("cannot serve metrics on nonexistent.invalid:9000: DYN_SYSTEM_HOST="
                + "nonexistent.invalid is not a name this machine can resolve to an address; set DYN_SYSTEM_HOST to"
                + " an IP address or host name of this machine, with no port and no scheme"), unresolved);
    }

    /** A re-tester's cluster DNS that did not answer: after 20 s the line said the name did not exist. */
    @Test
    void saysWhenTheNameServerDidNotAnswerInTime() {
        String unresolved = MetricsServerStart.unresolvedHost(config("metrics.orders.svc.cluster.local", "9000"),
                "metrics.orders.svc.cluster.local:9000", 20_224);

        assertTrue(unresolved.startsWith("cannot serve metrics on metrics.orders.svc.cluster.local:9000:"
                + " DYN_SYSTEM_HOST=metrics.orders.svc.cluster.local could not be resolved: the lookup gave up after"
                + " 20224 ms; the name does not exist, or the name server (/etc/resolv.conf) did not answer in time;"
                + " set DYN_SYSTEM_HOST to an IP address"), unresolved);
    }

    /** The JDK reports an unknown interface, or one without such an address, as a name it cannot resolve. */
    @Test
    void saysWhenTheInterfaceOfAnIpv6AddressIsNotThere() throws Exception {
        assertThrows(UnknownHostException.class, () -> InetAddress.getByName("fe80::1%no-such-interface"));
        String unresolved = MetricsServerStart.unresolvedHost(config("fe80::1%no-such-interface", "9000"),
                "[fe80::1%no-such-interface]:9000", 3);
        String numbered = MetricsServerStart.bindFailure(config("fe80::1%99", "9000"), "[fe80::1%99]:9000",
                new SocketException("No such device"));

        assertTrue(unresolved.startsWith("cannot serve metrics on [fe80::1%no-such-interface]:9000: DYN_SYSTEM_HOST="
                + "fe80::1%no-such-interface is an IPv6 address with an interface (after %) that this machine does"
                + " not have, or that has no address of that kind; give one of the interface's own addresses"), unresolved);
        assertTrue(numbered.startsWith("cannot serve metrics on [fe80::1%99]:9000: fe80::1%99 names, after %, an"
                + " interface this machine does not have; give one of the interface's own addresses with its name"
                + " (fe80::1%eth0; `ip -6 addr` lists them)"), numbered);
    }
}
