package io.ciphergram.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged service (target/quarkus-app/quarkus-run.jar) as an operator starts it, in its own process,
 * on free loopback ports it reports in its log: UDP, HTTP and management.
 */
public final class ServiceProcess implements AutoCloseable {

    public static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final Duration START = Duration.ofSeconds(60);
    private static final Pattern UDP = Pattern.compile("Ciphergram UDP listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern HTTP = Pattern.compile("Listening on: http://[^:]+:(\\d+)\\. Management interface listening on http://[^:]+:(\\d+)");

    private final ProcessPeer process;
    private int udp;
    private int http;
    private int management;

    private ServiceProcess(ProcessPeer process) {
        this.process = process;
    }

    /**
     * Starts the service with {@code properties} as {@code -D} options; returns at once (see {@link #awaitStarted}).
     */
    public static ServiceProcess launch(Map<String, String> properties, Map<String, String> environment) throws IOException {
        List<String> command = new ArrayList<>(List.of(JAVA, "-Dciphergram.udp.port=0", "-Dciphergram.udp.host=127.0.0.1",
                "-Dquarkus.http.port=0", "-Dquarkus.management.port=0"));
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-jar", JAR.toString()));
        return new ServiceProcess(new ProcessPeer(command, environment));
    }

    /** Waits until it has logged its ports. */
    public ServiceProcess awaitStarted() {
        await().atMost(START).until(() -> found(UDP) != null && found(HTTP) != null || !process.process().isAlive());
        if (!process.process().isAlive()) {
            throw new AssertionError("the service exited: " + process.stdout() + process.stderr());
        }
        udp = Integer.parseInt(found(UDP).group(1));
        Matcher ports = found(HTTP);
        http = Integer.parseInt(ports.group(1));
        management = Integer.parseInt(ports.group(2));
        return this;
    }

    private Matcher found(Pattern pattern) {
        for (String line : process.stdout()) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                return m;
            }
        }
        return null;
    }

    public int udpPort() {
        return udp;
    }

    public int httpPort() {
        return http;
    }

    public String httpUrl(String path) {
        return "http://127.0.0.1:" + http + path;
    }

    public String managementUrl(String path) {
        return "http://127.0.0.1:" + management + path;
    }

    public List<String> log() {
        return process.stdout();
    }

    /** SIGKILL: no goodbye of any kind. */
    public void kill() throws InterruptedException {
        process.process().destroyForcibly();
        process.process().waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
