package dev.dynamo.agent.internal.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentActivationTest {
    private static final Map<String, String> NONE = Collections.emptyMap();

    private static Map<String, String> settings(String name, String value) {
        Map<String, String> settings = new HashMap<String, String>();
        settings.put(name, value);
        return settings;
    }

    /** The sun.java.command values of JDK 17's tools and of build launchers, as the JVM sets them. */
    @ParameterizedTest
    @ValueSource(strings = {"jdk.jcmd/sun.tools.jcmd.JCmd -l", "jdk.jcmd/sun.tools.jps.Jps",
        "jdk.jcmd/sun.tools.jstack.JStack 1", "jdk.jcmd/sun.tools.jinfo.JInfo -flags 1", "jdk.jcmd/sun.tools.jmap.JMap",
        "jdk.compiler/com.sun.tools.javac.Main -version", "java.base/sun.security.tools.keytool.Main -help",
        "jdk.jshell/jdk.internal.jshell.tool.JShellToolProvider -q", "jdk.jshell.execution.RemoteExecutionControl",
        "jdk.jartool/sun.tools.jar.Main", "sun.tools.jcmd.JCmd -l", "com.sun.tools.javac.Main",
        "org.codehaus.plexus.classworlds.launcher.Launcher -v", "org.gradle.wrapper.GradleWrapperMain build",
        "org.gradle.launcher.daemon.bootstrap.GradleDaemon 8.5", "org.apache.maven.wrapper.MavenWrapperMain"})
    void staysOffInJdkAndBuildTools(String command) {
        AgentActivation activation = AgentActivation.decide(NONE, command, "/opt/dynamo-agent.jar", false);

        assertFalse(activation.runs(), command);
        assertFalse(activation.saysWhy(), "a tool must print nothing by default");
    }

    @Test
    void staysOffWithoutAMainClassAsInJavaVersion() {
        assertFalse(AgentActivation.decide(NONE, null, null, false).runs());
        assertFalse(AgentActivation.decide(NONE, "", null, false).runs());
        assertTrue(AgentActivation.decide(settings("DYN_AGENT_MAIN", "*"), null, null, false).runs());
    }

    @ParameterizedTest
    @ValueSource(strings = {"app.jar", "/srv/app.jar --port 8080", "Main", "com.example.Main arg",
        "com.example/com.example.Main", "dev.dynamo.demo.DemoMain server", "sunny.Main", "jdkapp.Main"})
    void runsInApplications(String command) {
        assertTrue(AgentActivation.decide(NONE, command, "/opt/dynamo-agent.jar", false).runs(), command);
    }

    /** {@code java Main.java} and {@code #!/usr/bin/java --source 17} scripts, as JDK 17 and JDK 25 name them. */
    @ParameterizedTest
    @ValueSource(strings = {"jdk.compiler/com.sun.tools.javac.launcher.Main Main.java",
        "jdk.compiler/com.sun.tools.javac.launcher.Main ./s.sh x y",
        "jdk.compiler/com.sun.tools.javac.launcher.SourceLauncher C.java a",
        "com.sun.tools.javac.launcher.Main /srv/jdk.scripts/sun.java"})
    void runsInAProgramRunFromItsSourceFile(String command) {
        assertTrue(AgentActivation.decide(NONE, command, "/opt/dynamo-agent.jar", false).runs(), command);
    }

    @Test
    void aRestrictionToOneMainMatchesASourceFileByPathOrName() {
        String command = "jdk.compiler/com.sun.tools.javac.launcher.SourceLauncher /srv/scripts/Orders.java 8080";

        assertTrue(AgentActivation.decide(settings("DYN_AGENT_MAIN", "Orders.java"), command, null, false).runs());
        assertTrue(AgentActivation.decide(settings("DYN_AGENT_MAIN", "/srv/*.java"), command, null, false).runs());
        AgentActivation other = AgentActivation.decide(settings("DYN_AGENT_MAIN", "Billing.java"), command, null, false);
        assertFalse(other.runs());
        assertTrue(other.reason().contains("'/srv/scripts/Orders.java'"), other.reason());
    }

    @Test
    void staysOffInItsOwnAttachCommand() {
        assertFalse(AgentActivation.decide(NONE, "/opt/dynamo-agent.jar 1234", "/opt/dynamo-agent.jar", false).runs());
        assertFalse(AgentActivation.decide(NONE, "/opt/../opt/dynamo-agent.jar 1234", "/opt/dynamo-agent.jar", false)
                .runs());
        assertFalse(AgentActivation.decide(NONE, "/tmp/dynamo-agent-0.1.0.jar 1234", "/dynamo/agent.jar", false).runs(),
                "another copy of the agent jar");
        assertFalse(AgentActivation.decide(NONE, "/opt/renamed.jar 1234", "/opt/renamed.jar", false).runs(),
                "the loaded agent jar under another name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "0", "off", "NO"})
    void staysOffEverywhereWhenDisabledAndSaysWhy(String falsy) {
        Map<String, String> off = settings("DYN_AGENT_ENABLED", falsy);

        AgentActivation activation = AgentActivation.decide(off, "com.example.Main", null, false);

        assertFalse(activation.runs());
        assertTrue(activation.saysWhy());
        assertTrue(activation.reason().contains("DYN_AGENT_ENABLED"), activation.reason());
        assertFalse(AgentActivation.decide(off, "com.example.Main", null, true).runs(), "dynamic attach too");
    }

    @Test
    void ignoresAnUnusableEnabledFlagHere() {
        assertTrue(AgentActivation.decide(settings("DYN_AGENT_ENABLED", "maybe"), "Main", null, false).runs());
    }

    @Test
    void runsOnlyInTheMainClassOrJarItIsRestrictedTo() {
        Map<String, String> only = settings("DYN_AGENT_MAIN", "com.example.*Main, orders.jar");

        assertTrue(AgentActivation.decide(only, "com.example.OrdersMain x", null, false).runs());
        assertTrue(AgentActivation.decide(only, "/srv/orders.jar", null, false).runs());
        assertFalse(AgentActivation.decide(only, "com.example.Other", null, false).runs());
        assertFalse(AgentActivation.decide(only, "/srv/billing.jar", null, false).runs());
        assertFalse(AgentActivation.decide(only, "jdk.jcmd/sun.tools.jcmd.JCmd", null, false).runs());
        assertTrue(AgentActivation.decide(settings("DYN_AGENT_MAIN", "jdk.jcmd/*"), "jdk.jcmd/sun.tools.jcmd.JCmd",
                null, false).runs(), "an explicit match wins over the tool rule");
    }

    @Test
    void runsOnDynamicAttachWhateverTheMainClass() {
        assertTrue(AgentActivation.decide(NONE, null, null, true).runs());
        assertTrue(AgentActivation.decide(settings("DYN_AGENT_MAIN", "other.Main"), "com.example.Main", null, true)
                .runs());
    }

    @Test
    void namesTheMainClassOfAModuleCommand() {
        assertEquals("sun.tools.jps.Jps", AgentActivation.toolClass("jdk.jcmd/sun.tools.jps.Jps"));
        assertEquals(null, AgentActivation.toolClass("/usr/lib/sun.jar"));
    }
}
