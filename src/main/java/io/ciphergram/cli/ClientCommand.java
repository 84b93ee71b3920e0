package io.ciphergram.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.jline.terminal.spi.SystemStream;

import io.ciphergram.crypto.Fingerprint;
import io.ciphergram.protocol.TokenBucket;
import io.ciphergram.protocol.v2.AppFrame;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The console client: reads lines from stdin and sends each as a message; prints each message it
 * receives as one line on stdout ("bob: hi", notices as "* ..."); status and errors go to stderr. Speaks
 * the hardened v2 profile unless {@code --classic}.
 *
 * <p>At a terminal it is a chat client: when stdin is one, JLine edits lines, keeps their history and
 * keeps the prompt below incoming lines; when stdout is one, lines get their time ({@code --timestamps})
 * and, with {@code --feedback} (on by default there), the user sees what they sent ({@code you: hi},
 * {@code you -> bob (private): hi}), who is in the room on arrival, and {@code /help} a line per command;
 * a private message or a mention of their name rings the bell ({@code --no-bell}) and is highlighted
 * (unless {@code NO_COLOR}). When stdout is not a terminal the output is the relay's lines and nothing else,
 * so scripts read them unchanged.
 *
 * <h2>Exit codes</h2>
 * <ul>
 * <li>0: end of input (or {@code /quit}) once every message was acknowledged (v2);</li>
 * <li>1: could not connect, or the server's identity was refused (a changed key, a {@code --fingerprint} that
 * does not match, a damaged known_servers), bad options;</li>
 * <li>2: not every message was acknowledged within {@code --delivery-timeout} at the end of input; with
 * {@code --no-reconnect} also a session that failed (the server went silent or stopped acknowledging);</li>
 * <li>3: the server ended the session: an operator removed the user; with {@code --no-reconnect} any end the
 * server chose (it shut down).</li>
 * </ul>
 * Without {@code --no-reconnect} (v2) a lost session is followed by a new one, with backoff, under the same
 * name, and what was not acknowledged is sent again; the client runs until its input ends.
 */
@Command(name = "client", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Chat through a Ciphergram server: stdin lines are sent, messages are printed on stdout.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:end of input, every message acknowledged", "1:could not connect, or the server was refused",
            "2:messages not acknowledged within --delivery-timeout (--no-reconnect: the session failed)",
            "3:the server ended the session (removed by an operator; --no-reconnect: any end it chose)"})
public final class ClientCommand implements Callable<Integer> {

    static final int CONNECT_FAILED = 1;
    static final int NOT_DELIVERED = 2;
    /** The server ended the session (it is shutting down, or an operator removed the user). */
    static final int ENDED_BY_SERVER = 3;

    @Option(names = "--server", description = "HOST:PORT of the server's UDP port, or the URL of its WebSocket gateway"
            + " (ws://HOST:8080/ws, v2 only) (default: ${DEFAULT-VALUE})", defaultValue = "127.0.0.1:12345")
    String server;

    @Option(names = "--name", description = "Username to register (letters, digits, _ - .; at most 32)")
    String name;

    @Option(names = "--classic", description = "Speak the original system's classic wire format instead of v2")
    boolean classic;

    @Option(names = "--fingerprint", description = "v2: the server fingerprint (SHA256:...) to require, instead of"
            + " trusting the one seen first")
    String fingerprint;

    @Option(names = "--known-servers", description = "v2: trust-on-first-use store (default: ~/.ciphergram/known_servers)")
    Path knownServers;

    @Option(names = "--rate", description = "Classic: messages per second to send at most (default: ${DEFAULT-VALUE}),"
            + " below the server's flood limit; v2 paces to the limits the server states", defaultValue = "8")
    double rate;

    @Option(names = "--burst", description = "Classic: messages sent at once before pacing starts (default: ${DEFAULT-VALUE})",
            defaultValue = "10")
    double burst;

    @Option(names = "--timeout", description = "Seconds to wait for the server to answer the handshake"
            + " (default: ${DEFAULT-VALUE})", defaultValue = "5")
    int timeoutSeconds;

    @Option(names = "--delivery-timeout", description = "v2: seconds to wait at end of input for every message to be"
            + " acknowledged (default: ${DEFAULT-VALUE})", defaultValue = "600")
    int deliveryTimeoutSeconds;

    @Option(names = "--no-reconnect", description = "v2: end when the session ends instead of reconnecting, with the"
            + " exit codes above")
    boolean noReconnect;

    @Option(names = "--timestamps", description = "The time before each line: off, short (HH:MM) or full"
            + " (default: short when stdout is a terminal, else off)")
    String timestamps;

    @Option(names = "--feedback", negatable = true, description = "Show what you send, who is online on arrival,"
            + " and /help a line per command (default: on when stdout is a terminal)")
    Boolean feedback;

    @Option(names = "--identity", description = "v2: your identity (Ed25519 key and prekeys), made on first run"
            + " (default: ~/.ciphergram/identity)")
    Path identityFile;

    @Option(names = "--known-users", description = "v2: the identity keys pinned for contacts (default:"
            + " ~/.ciphergram/known_users)")
    Path knownUsers;

    @Option(names = "--no-identity", description = "v2: connect without an identity and take text lines only (names"
            + " and private messages as the classic profile has them; servers before identities understand only this)")
    boolean noIdentity;

    @Option(names = "--no-bell", description = "No bell on a private message or a mention of your name")
    boolean noBell;

    private final BufferedReader in;
    private final PrintStream out;
    private final PrintStream err;
    /** Whether stdin and stdout are terminals: only ever for the process's own streams, asked when it runs. */
    private final boolean systemStreams;
    private boolean stdinTerminal;
    private boolean stdoutTerminal;
    /** Where the connection's status lines go: stderr, then the console once there is one. */
    private volatile Consumer<String> status;

    public ClientCommand() {
        this(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                new PrintStream(System.out, true, StandardCharsets.UTF_8),
                new PrintStream(System.err, true, StandardCharsets.UTF_8), true);
    }

    /** With streams of the caller's (tests): not a terminal, so the output is exactly the relay's lines. */
    public ClientCommand(BufferedReader in, PrintStream out, PrintStream err) {
        this(in, out, err, false);
    }

    private ClientCommand(BufferedReader in, PrintStream out, PrintStream err, boolean systemStreams) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.systemStreams = systemStreams;
        this.status = err::println;
    }

    @Override
    public Integer call() throws Exception {
        if (systemStreams) {
            stdinTerminal = Terminals.isTerminal(SystemStream.Input);
            stdoutTerminal = Terminals.isTerminal(SystemStream.Output);
        }
        String username = name != null ? name : System.getProperty("user.name", "user");
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        ConsoleFormat format;
        Optional<Fingerprint> pinned;
        KnownServers store;
        try {
            String lower = server.strip().toLowerCase(Locale.ROOT);
            if (lower.startsWith("http://") || lower.startsWith("https://")) {
                throw new IllegalArgumentException("--server " + server + " is a web address: the console client takes"
                        + " the server's UDP port as HOST:PORT (12345 by default), or its WebSocket gateway as ws"
                        + (lower.startsWith("https") ? "s" : "") + "://HOST:PORT/ws");
            }
            format = new ConsoleFormat(timestamps());
            // What can be checked is checked before anything is sent: a bad pin or a damaged store must
            // not leave a session (and a name) behind on the server.
            pinned = Optional.ofNullable(fingerprint).map(ClientCommand::pin);
            store = new KnownServers(knownServers != null ? knownServers : KnownServers.defaultPath());
            if (!classic) {
                store.recorded(trustKey().toString());
            }
        } catch (IllegalArgumentException | IOException e) {
            err.println("error: " + e.getMessage());
            return CONNECT_FAILED;
        }
        boolean feedbackOn = feedback != null ? feedback : stdoutTerminal;
        Console.Attention attention = new Console.Attention(stdoutTerminal && !noBell,
                stdoutTerminal && Terminals.colourWanted());
        // The screen the framed side shows on: the console, once there is one.
        ConsoleRef screen = new ConsoleRef();
        ConnectionRef sending = new ConnectionRef();
        FramedChat chat = null;
        if (!classic && !noIdentity) {
            try {
                SecureRandom random = new SecureRandom();
                Path identityPath = identityFile != null ? identityFile : IdentityFile.defaultPath();
                boolean existed = java.nio.file.Files.exists(identityPath);
                IdentityFile id;
                try {
                    id = IdentityFile.loadOrCreate(identityPath, random, System.currentTimeMillis());
                } catch (IOException e) {
                    throw new IOException("cannot use the identity " + identityPath + ": " + e.getMessage()
                            + " (--identity FILE for another, or --no-identity)", e);
                }
                if (!existed) {
                    err.println("new identity " + id.identity().publicKey().fingerprint() + " (kept in " + id.file() + ")");
                }
                chat = new FramedChat(id, new KnownUsers(knownUsers != null ? knownUsers : KnownUsers.defaultPath()),
                        format, feedbackOn, username, sending, screen, random, System::currentTimeMillis, ZoneId.systemDefault());
                chat.rotate(false); // the prekey schedule, before the first publication
            } catch (IOException | IllegalArgumentException e) {
                err.println("error: " + e.getMessage());
                return CONNECT_FAILED;
            }
        }
        ChatConnection connection;
        try {
            connection = connect(username, timeout, store, pinned, chat);
        } catch (IOException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return CONNECT_FAILED;
        }
        sending.connection = connection;
        Console interactive = stdinTerminal ? Console.Interactive.open(attention) : null;
        Console console = interactive != null ? interactive : new Console.Plain(in, out, err, attention);
        screen.console = console;
        status = console::status;
        ScheduledExecutorService rotation = null;
        if (chat != null) {
            FramedChat rotating = chat;
            rotation = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ciphergram-prekey-rotation");
                t.setDaemon(true);
                return t;
            });
            rotation.scheduleWithFixedDelay(() -> {
                try {
                    rotating.rotate(true);
                } catch (IOException e) {
                    console.status("error: the prekey could not be rotated: " + e.getMessage());
                }
            }, 1, 1, TimeUnit.HOURS);
        }
        try (connection; console) {
            console.status("connected to " + server + " (" + connection.describe() + "); type messages, /help for commands");
            Session session = new Session(connection, console, format, feedbackOn, username, chat);
            if (feedbackOn) {
                connection.sendText("/who"); // the room on arrival
            }
            return session.run();
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return NOT_DELIVERED;
        } finally {
            if (rotation != null) {
                rotation.shutdownNow();
            }
        }
    }

    /** The console, for the framed side made before it. */
    private static final class ConsoleRef implements FramedChat.Screen {
        volatile Console console;

        @Override
        public void show(String line, boolean forYou) {
            Console c = console;
            if (c != null) {
                c.show(line, forYou);
            }
        }
    }

    /** The connection, for the framed side made before it. */
    private static final class ConnectionRef implements FramedChat.Out {
        volatile ChatConnection connection;

        @Override
        public void text(String line) throws IOException {
            connection.sendText(line);
        }

        @Override
        public void frame(AppFrame frame) throws IOException {
            connection.sendFrame(frame);
        }
    }

    private ChatConnection connect(String username, Duration timeout, KnownServers store, Optional<Fingerprint> pinned,
            FramedChat chat) throws IOException {
        V2Connection.Framing framing = chat != null ? chat.framing() : null;
        String where = server.strip();
        V2Connection.Trust trust = presented -> trust(store, pinned, presented);
        V2Connection.Options options = new V2Connection.Options(timeout, !noReconnect, line -> status.accept(line));
        URI gateway = gateway(where);
        if (gateway != null) {
            if (classic) {
                throw new IllegalArgumentException("the WebSocket gateway speaks v2 only: drop --classic");
            }
            return V2Connection.open(new V2Connection.Target.Gateway(gateway), username, options, trust, framing);
        }
        HostPort hostPort = HostPort.parse(where);
        InetSocketAddress address = hostPort.resolve();
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve the host " + hostPort.host() + " (from --server "
                    + server + "): check the name, or give its IP address");
        }
        return classic
                ? ClassicConnection.open(address, username, timeout)
                : V2Connection.open(new V2Connection.Target.Udp(address), username, options, trust, framing);
    }

    private ConsoleFormat.Timestamps timestamps() {
        if (timestamps == null) {
            return stdoutTerminal ? ConsoleFormat.Timestamps.SHORT : ConsoleFormat.Timestamps.OFF;
        }
        try {
            return ConsoleFormat.Timestamps.valueOf(timestamps.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--timestamps is off, short or full, got " + timestamps);
        }
    }

    private static Fingerprint pin(String text) {
        try {
            return Fingerprint.parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--fingerprint " + text + " is not a fingerprint: " + e.getMessage()
                    + " (the server logs its own at startup; copy it whole)");
        }
    }

    /** The gateway's URL if {@code server} is one ({@code ws://} or {@code wss://}), else null. */
    static URI gateway(String server) {
        String s = server.strip();
        String lower = s.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("ws://") && !lower.startsWith("wss://")) {
            return null;
        }
        URI uri;
        try {
            uri = URI.create(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a gateway is ws://HOST:PORT/ws, got " + server);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("a gateway is ws://HOST:PORT/ws, got " + server);
        }
        return uri;
    }

    /** The key the trust store keeps a server under: HOST:PORT, for a gateway its HTTP host and port. */
    private HostPort trustKey() {
        URI gateway = gateway(server);
        if (gateway == null) {
            return HostPort.parse(server);
        }
        int port = gateway.getPort() > 0 ? gateway.getPort() : "wss".equalsIgnoreCase(gateway.getScheme()) ? 443 : 80;
        return new HostPort(gateway.getHost(), port);
    }

    private void trust(KnownServers store, Optional<Fingerprint> pinned, Fingerprint presented) throws IOException {
        switch (store.check(trustKey(), presented, pinned)) {
            case FIRST_USE -> err.println("new server " + server + ": trusting its key " + presented
                    + " from now on (recorded in " + store.file() + ")");
            case MATCH -> {
            }
            case MISMATCH -> throw new RefusedException("the server's identity key has CHANGED: it presented " + presented
                    + ", which is not " + pinned.map(p -> "the key " + p + " given by --fingerprint."
                            + " Check the fingerprint the server logs at startup.")
                            .orElse("the key recorded for " + server + " in " + store.file() + ". Someone may be"
                                    + " impersonating the server; if its key really changed, remove that line."));
        }
    }

    /** One run of the chat: input sent on one thread, what arrives shown on another, until one of them ends. */
    private final class Session {
        private final ChatConnection connection;
        private final Console console;
        private final ConsoleFormat format;
        private final boolean feedbackOn;
        /** The framed side (identities, app frames, sealed /msg); null for a text client. */
        private final FramedChat chat;
        private volatile String me;

        Session(ChatConnection connection, Console console, ConsoleFormat format, boolean feedbackOn, String username,
                FramedChat chat) {
            this.chat = chat;
            this.connection = connection;
            this.console = console;
            this.format = format;
            this.feedbackOn = feedbackOn;
            this.me = username;
        }

        int run() throws IOException, InterruptedException {
            CompletableFuture<Void> ended = new CompletableFuture<>();
            Thread receiver = new Thread(() -> {
                showIncoming();
                ended.complete(null);
            }, "ciphergram-receiver");
            receiver.setDaemon(true);
            receiver.start();
            // Reading stdin blocks, so it has a thread of its own: the session may end first.
            CompletableFuture<Boolean> input = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try {
                    input.complete(sendLines());
                } catch (Exception e) {
                    input.completeExceptionally(e);
                }
            }, "ciphergram-stdin");
            reader.setDaemon(true);
            reader.start();
            CompletableFuture.anyOf(input, ended).join();
            if (!input.isDone()) {
                if (connection.endedByServer()) {
                    console.status("the server ended the session");
                    return ENDED_BY_SERVER;
                }
                try {
                    connection.receiveText(); // the end: says why if it failed
                } catch (IOException e) {
                    console.status("error: " + e.getMessage());
                    return e instanceof RefusedException ? CONNECT_FAILED : NOT_DELIVERED;
                }
            }
            boolean quit;
            try {
                quit = input.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage());
            }
            if (chat != null && !chat.awaitSettled(Duration.ofSeconds(timeoutSeconds))) {
                err.println("error: no key bundle came within " + timeoutSeconds + " s for every /msg: some were not sent");
            }
            if (!connection.awaitDelivered(Duration.ofSeconds(deliveryTimeoutSeconds))) {
                err.println("error: not every message was acknowledged within " + deliveryTimeoutSeconds + " s");
                return NOT_DELIVERED;
            }
            if (!quit && classic) {
                connection.sendText("/quit"); // v2 ends with a Close record when the connection closes
            }
            return 0;
        }

        /** Sends input line by line; true if the user typed /quit. */
        private boolean sendLines() throws IOException, InterruptedException {
            TokenBucket pace = classic ? new TokenBucket(rate, burst, System.nanoTime()) : null;
            String line;
            while ((line = console.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                if (pace != null) {
                    long wait;
                    while ((wait = pace.nanosUntilToken(System.nanoTime())) > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    pace.tryTake(System.nanoTime());
                }
                boolean handled;
                try {
                    handled = chat != null && chat.typed(line);
                } catch (IOException e) {
                    console.status("error: " + e.getMessage());
                    continue;
                }
                if (handled) {
                    continue; // /msg, /verify, /trust: the framed side sent and showed what they call for
                }
                connection.sendText(line);
                if (feedbackOn) {
                    String sent = format.sent(line, LocalDateTime.now());
                    if (sent != null) {
                        console.show(sent, false);
                    }
                }
                if (line.strip().equalsIgnoreCase("/quit")) {
                    return true;
                }
            }
            return false;
        }

        private void showIncoming() {
            try {
                ChatConnection.Received received;
                while ((received = connection.receive()) != null) {
                    if (received instanceof ChatConnection.Received.Frame frame) {
                        if (frame.frame() instanceof AppFrame.Notice notice) {
                            learnName(notice.text());
                            if (feedbackOn && notice.text().startsWith(HELP)) {
                                for (String line : format.perCommand(withClientCommands(notice.text()))) {
                                    console.show(line, false);
                                }
                                continue;
                            }
                        }
                        try {
                            chat.received(frame.frame());
                        } catch (IOException e) {
                            console.status("error: " + e.getMessage()); // known_users unreadable: the session goes on
                        }
                        continue;
                    }
                    String text = ((ChatConnection.Received.Text) received).line();
                    learnName(text);
                    if (chat != null) {
                        chat.cursor().onNotice(text);
                        if (text.startsWith(HELP)) {
                            text = withClientCommands(text);
                        }
                    }
                    LocalDateTime now = LocalDateTime.now();
                    for (String line : feedbackOn ? format.perCommand(text) : List.of(text)) {
                        ConsoleFormat.Shown shown = format.incoming(line, me, now);
                        console.show(shown.text(), shown.forYou());
                    }
                }
            } catch (SocketException e) {
                // the connection was closed at the end of input
            } catch (IOException e) {
                // the main thread reads the failure and reports it
            }
        }

        /** The relay's /help, with the commands the client itself answers. */
        private static final String HELP = "* commands: ";

        private String withClientCommands(String help) {
            return help + "; /verify NAME shows the safety number to compare with NAME; /trust NAME accepts NAME's"
                    + " changed identity key";
        }

        /** The welcome says which name the relay gave ("* you are alice2 (alice is taken); ..."): mentions use it. */
        private void learnName(String text) {
            String prefix = "* you are ";
            if (text.startsWith(prefix) && !text.startsWith("* you are in #")) { // not "* you are in #dev" (/join)
                int end = text.length();
                for (int i = prefix.length(); i < text.length(); i++) {
                    char c = text.charAt(i);
                    if (c == ' ' || c == ';') {
                        end = i;
                        break;
                    }
                }
                me = text.substring(prefix.length(), end);
                if (chat != null && !me.startsWith("#")) {
                    chat.me(me);
                }
            }
        }
    }

    /** A server refused for its identity: exit 1, as for a connection that never was. */
    static final class RefusedException extends IOException {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message);
        }
    }
}
