package dev.dynamo.agent.internal.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class HostSettingTest {

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "127.0.0.1", "localhost", "metrics.example.com", "::1", "::", "[::1]", "[::]",
        "fe80::1%eth0", "2001:db8::7"})
    void acceptsAddressesAndNames(String host) {
        assertNull(HostSetting.whatIsWrong(host));
    }

    @ParameterizedTest
    @CsvSource({"0.0.0.0, false", "127.0.0.1, false", "::, false", "[::1], false", "fe80::1%eth0, false",
        "localhost, true", "metrics.orders.svc.cluster.local, true", "1.2.3, true", "10.0.0.1.nip.io, true"})
    void saysWhichHostsAreLookedUp(String host, boolean lookedUp) {
        assertEquals(lookedUp, HostSetting.needsLookup(host));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1:80        | it has a port (:80)",
        "localhost:9000      | it has a port (:9000)",
        "[::1]:9000          | it has a port (:9000)",
        "http://127.0.0.1    | it has a scheme (http://)",
        "127.0.0.1/metrics   | it holds '/'",
        "[127.0.0.1]         | brackets are for an IPv6 address only; write 127.0.0.1 without them",
        "[::1                | its '[' has no ']'",
        "999.1.1.1           | it is not an IPv4 address: each of its four numbers must be 0-255",
        "1.2.3               | it is not an IPv4 address: each of its four numbers must be 0-255",
    })
    void saysWhatIsWrongWithAHostThatCannotBeBound(String host, String wrong) {
        assertEquals(wrong, HostSetting.whatIsWrong(host));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1     | 127.0.0.1:9000",
        "localhost     | localhost:9000",
        "::1           | [::1]:9000",
        "[::1]         | [::1]:9000",
        "[::]          | [::]:9000",
        "fe80::1%eth0  | [fe80::1%eth0]:9000",
    })
    void writesAnIpv6AddressWithItsPortInBracketsOnce(String host, String shown) {
        assertEquals(shown, HostSetting.withPort(host, 9000));
    }
}
