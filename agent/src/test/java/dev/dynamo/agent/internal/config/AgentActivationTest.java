package dev.dynamo.agent.internal.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
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
        assertFalse(AgentActivation.decide(NONE, (String) null, null, false).runs());
        assertFalse(AgentActivation.decide(NONE, "", null, false).runs());
        assertTrue(AgentActivation.decide(settings("DYN_AGENT_MAIN", "*"), (String) null, null, false).runs());
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

    /** Before, a path matched only as the command spelled it. */
    @Test
    void aRestrictionToAJarOrSourceFileByPathMatchesHoweverTheCommandSpellsIt() {
        Map<String, String> jar = settings("DYN_AGENT_MAIN", new File("app.jar").getAbsolutePath());
        Map<String, String> source = settings("DYN_AGENT_MAIN", new File("Hello.java").getAbsolutePath());
        String parent = new File("").getAbsoluteFile().getName();

        assertTrue(AgentActivation.decide(jar, "app.jar", null, false).runs());
        assertTrue(AgentActivation.decide(jar, "./app.jar --port 1", null, false).runs());
        assertTrue(AgentActivation.decide(jar, "../" + parent + "/app.jar", null, false).runs());
        assertTrue(AgentActivation.decide(source, "jdk.compiler/com.sun.tools.javac.launcher.Main ./Hello.java", null,
                false).runs());
        assertFalse(AgentActivation.decide(jar, "lib/app.jar", null, false).runs(), "another file of that name");
    }

    /** Before, DYN_AGENT_MAIN was matched against "module/class" as a whole. */
    @Test
    void aRestrictionToOneMainClassMatchesItInAModuleLaunch() {
        Map<String, String> only = settings("DYN_AGENT_MAIN", "app.Main");

        assertTrue(AgentActivation.decide(only, "t60.app/app.Main", null, false).runs());
        assertTrue(AgentActivation.decide(only, "t60.app/app.Main --port 1", null, false).runs());
        assertTrue(AgentActivation.decide(settings("DYN_AGENT_MAIN", "t60.app/*"), "t60.app/app.Main", null, false)
                .runs());
        assertFalse(AgentActivation.decide(only, "t60.app/app.Other", null, false).runs());
        // java -m t60.app: the class comes from the module's descriptor.
        JvmLaunch moduleOnly = new JvmLaunch("t60.app", "app.Main", null, false);
        assertTrue(AgentActivation.decide(only, moduleOnly, null, false).runs());
        AgentActivation other = AgentActivation.decide(settings("DYN_AGENT_MAIN", "app.Other"), moduleOnly, null, false);
        assertFalse(other.runs());
        assertTrue(other.reason().contains("main 't60.app' (main class app.Main) does not match"), other.reason());
    }

    /**
     * catalina.sh hands JAVA_OPTS to the server and to its stop and configtest commands; before, each
     * stop bound (or failed to bind) the server's metrics port.
     */
    @ParameterizedTest
    @ValueSource(strings = {"org.apache.catalina.startup.Bootstrap stop",
        "org.apache.catalina.startup.Bootstrap -config /srv/server.xml stop",
        "org.apache.catalina.startup.Bootstrap configtest", "org.apache.catalina.util.ServerInfo",
        "org.apache.catalina.realm.RealmBase -a sha-256 secret", "org.apache.catalina.startup.Tool -ant Foo"})
    void staysOffSilentlyInTomcatsCommandsBesideTheServer(String command) {
        AgentActivation activation = AgentActivation.decide(NONE, command, "/opt/dynamo-agent.jar", false);

        assertFalse(activation.runs(), command);
        assertFalse(activation.saysWhy(), "the server's JVM has the agent too: " + activation.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"org.apache.catalina.startup.Bootstrap start", "org.apache.catalina.startup.Bootstrap",
        "/opt/jetty/start.jar", "start.jar jetty.http.port=8080", "/srv/app/start.jar --exec-not-an-option"})
    void runsInTheServersOwnJvm(String command) {
        assertTrue(AgentActivation.decide(NONE, command, "/opt/dynamo-agent.jar", false).runs(), command);
    }

    /**
     * Jetty's start.jar with --exec starts the server in a JVM of its own. Before, the launcher took the
     * metrics port and served an empty page, and the server's JVM could not bind it.
     */
    @Test
    void staysOffInJettysLauncherAndSaysWhereTheAgentMustGoUnlessJavaToolOptionsTakeItThere() {
        JvmLaunch commandLine = new JvmLaunch("/opt/jetty/start.jar --exec", null, null, false);
        AgentActivation alone = AgentActivation.decide(NONE, commandLine, "/opt/dynamo-agent.jar", false);
        assertFalse(alone.runs());
        assertTrue(alone.warns(), "-javaagent on the launcher alone measures nothing: say so");
        assertTrue(alone.reason().contains("start.ini"), alone.reason());

        JvmLaunch inherited = new JvmLaunch("/opt/jetty/start.jar --exec", null,
                "-javaagent:/opt/dynamo-agent.jar -Xss1m", false);
        AgentActivation forked = AgentActivation.decide(NONE, inherited, "/opt/dynamo-agent.jar", false);
        assertFalse(forked.runs());
        assertFalse(forked.saysWhy() || forked.warns(), "the server's JVM gets the agent from JAVA_TOOL_OPTIONS");

        assertFalse(AgentActivation.decide(NONE, new JvmLaunch("start.jar", null, null, true), null, false).runs(),
                "--exec in an ini file of jetty.base");
        assertFalse(AgentActivation.decide(NONE, "start.jar --list-config", null, false).runs());
        assertTrue(AgentActivation.decide(settings("DYN_AGENT_MAIN", "start.jar"), commandLine, null, false).runs(),
                "DYN_AGENT_MAIN overrides the rule");
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
        assertTrue(AgentActivation.decide(NONE, (String) null, null, true).runs());
        assertTrue(AgentActivation.decide(settings("DYN_AGENT_MAIN", "other.Main"), "com.example.Main", null, true)
                .runs());
    }

    @Test
    void namesTheMainClassOfAModuleCommand() {
        assertEquals("sun.tools.jps.Jps", AgentActivation.toolClass("jdk.jcmd/sun.tools.jps.Jps"));
        assertEquals(null, AgentActivation.toolClass("/usr/lib/sun.jar"));
    }
}
