package io.ciphergram.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
        return launch(List.of(), List.of(), properties, environment);
    }

    /**
     * As {@link #launch(Map, Map)}, run through {@code wrapper} (e.g. {@code prlimit --nofile=1024}, which
     * executes java in its place) with {@code jvmOptions} (e.g. {@code -Xmx256m}).
     */
    public static ServiceProcess launch(List<String> wrapper, List<String> jvmOptions, Map<String, String> properties,
            Map<String, String> environment) throws IOException {
        List<String> command = new ArrayList<>(wrapper);
        command.add(JAVA);
        command.addAll(jvmOptions);
        command.addAll(List.of("-Dciphergram.udp.port=0", "-Dciphergram.udp.host=127.0.0.1", "-Dquarkus.http.port=0",
                "-Dquarkus.management.port=0"));
        if (!properties.containsKey("ciphergram.data.dir")) {
            // each process its own durable state, as two servers on one machine must have (a data directory is
            // held by one store at a time)
            command.add("-Dciphergram.data.dir=" + Scratch.directory("data"));
        }
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

    public int managementPort() {
        return management;
    }

    public List<String> log() {
        return process.stdout();
    }

    /** The service's own process (prlimit executes java in its place, so it is the JVM). */
    public Process process() {
        return process.process();
    }

    /** The value of one Prometheus series on /q/metrics, e.g. {@code ciphergram_ws_pending_bytes}; NaN if absent. */
    public double metric(String series) throws IOException, InterruptedException {
        return metricSum(series + " ");
    }

    /** The sum of every series on /q/metrics whose line starts with {@code prefix}; NaN if there is none. */
    public double metricSum(String prefix) throws IOException, InterruptedException {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(managementUrl("/q/metrics")))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        double sum = Double.NaN;
        for (String line : answer.body().split("\n")) {
            if (line.startsWith(prefix)) {
                double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                sum = Double.isNaN(sum) ? value : sum + value;
            }
        }
        return sum;
    }

    /** SIGTERM, as an orchestrator stops it: it says goodbye, flushes its store and exits. */
    public void stop() throws InterruptedException {
        process.process().destroy();
        if (!process.process().waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the service did not stop within 30 s of SIGTERM");
        }
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
