package io.ciphergram.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.testing.Browser;
import io.ciphergram.testing.ChatPeer;
import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.testing.RecordingTcpProxy;
import io.ciphergram.testing.V2Peer;
import io.ciphergram.transport.udp.UdpTransport;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The browser page in a real headless Chromium, joined through the WebSocket gateway, in one room with a
 * v2 console client and a classic (original-format) client. The page is reached through a recording
 * proxy, so the test can read every frame the browser sent and show that no chat text crossed in clear.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserJourneyTest {

    private static final String ANN_SECRET = "ann's plain words 4711";
    private static final String BEN_SECRET = "ben whispers 0815";

    @Inject
    UdpTransport udp;

    @Inject
    WsTransport ws;

    @TestHTTPResource("/")
    URL root;

    @TempDir
    Path home;

    private RecordingTcpProxy proxy;
    private Browser ann;
    private Browser ben;

    @BeforeAll
    void browsers() throws Exception {
        assertTrue(Files.isExecutable(Browser.CHROMIUM) && Files.isExecutable(Browser.CHROMEDRIVER),
                "Debian's chromium and chromium-driver are missing (apt-get install chromium chromium-driver)");
        proxy = new RecordingTcpProxy(root.getPort());
        ann = new Browser();
        ben = new Browser();
    }

    @AfterAll
    void close() throws Exception {
        ann.close();
        ben.close();
        proxy.close();
    }

    private String page() {
        return "http://localhost:" + proxy.port() + "/";
    }

    @Test
    @Order(1)
    void browsersAConsoleClientAndAClassicClientChatEveryWay() throws Exception {
        try (V2Peer carl = V2Peer.join(udp.port(), "wcarl", home.resolve("known"));
                ClassicPeer dora = ClassicPeer.join(udp.port(), "wdora")) {
            ann.open(page());
            assertThat(ann.focusedTestId()).as("the name field has the focus").isEqualTo("username-input");
            ann.join("wann");
            ann.awaitMessage("* you are wann; /help lists commands");
            assertThat(ann.focusedTestId()).as("then the message field").isEqualTo("message-input");
            assertThat(ann.fingerprint()).startsWith("SHA256:").isEqualTo(ann.hook("fingerprint"));
            ben.open(page());
            ben.join("wben");
            carl.awaitLine("* wben joined");
            dora.awaitLine("* wben joined");

            ann.say(ANN_SECRET);
            ben.awaitMessage("wann: " + ANN_SECRET);
            carl.awaitLine("wann: " + ANN_SECRET);
            dora.awaitLine("wann: " + ANN_SECRET);
            ann.awaitMessage(m -> m.startsWith("you") && m.contains(ANN_SECRET));

            ben.say("hello from ben ✓");
            ann.awaitMessage("wben: hello from ben ✓");
            carl.awaitLine("wben: hello from ben ✓");
            dora.awaitLine("wben: hello from ben ✓");

            carl.say("hello from the console");
            ann.awaitMessage("wcarl: hello from the console");
            ben.awaitMessage("wcarl: hello from the console");
            String markup = "<b>bold</b><img src=x onerror=\"window.pwned=1\">";
            carl.say(markup);
            ann.awaitMessage("wcarl: " + markup); // shown as the characters it is, not as markup
            assertThat(ann.script("return window.pwned === undefined"
                    + " && document.querySelectorAll('[data-testid=message-list] b, [data-testid=message-list] img').length === 0"))
                    .as("text is never rendered as HTML").isEqualTo(true);
            dora.say("hello from the original client");
            ann.awaitMessage("wdora: hello from the original client");
            ben.awaitMessage("wdora: hello from the original client");

            ben.say("/msg wann " + BEN_SECRET);
            ann.awaitMessage("wben (private): " + BEN_SECRET);
            ben.awaitMessage(m -> m.contains("wann (private)") && m.contains(BEN_SECRET));
            ann.say("/who");
            Awaitility.await().atMost(Browser.WAIT).until(() -> {
                List<String> online = ann.online();
                return List.of("wann", "wben", "wcarl", "wdora").stream()
                        .allMatch(name -> online.stream().anyMatch(n -> n.contains(name)));
            });
            // target/screenshot.png on every run; -Dciphergram.screenshot=docs/screenshot.png refreshes the README's
            ann.screenshot(Path.of(System.getProperty("ciphergram.screenshot", "target/screenshot.png")));

            ChatPeer.barrier(carl, "wcarl", dora);
            ann.awaitMessage("wcarl: barrier");
            assertThat(carl.received()).noneMatch(l -> l.contains(BEN_SECRET));
            assertThat(dora.received()).noneMatch(l -> l.contains(BEN_SECRET));
        }
    }

    @Test
    @Order(2)
    void noChatTextCrossesTheWebSocketInClear() {
        List<RecordingTcpProxy.Frame> frames = proxy.clientFrames();
        List<RecordingTcpProxy.Frame> data = frames.stream().filter(f -> f.opcode() == 2).toList();
        assertThat(data).as("binary frames from the browsers").hasSizeGreaterThan(10);
        assertThat(frames).as("no text frames").noneMatch(f -> f.opcode() == 1);
        assertThat(data).as("each one a v2 datagram").allMatch(f -> f.payload().length >= 3
                && f.payload()[0] == (byte) 0xFF && f.payload()[1] == 0x02 && f.payload().length <= 1200);
        for (String secret : List.of(ANN_SECRET, BEN_SECRET, "hello from ben")) {
            byte[] plain = secret.getBytes(StandardCharsets.UTF_8);
            assertThat(data).noneMatch(f -> contains(f.payload(), plain));
        }
    }

    @Test
    @Order(3)
    void reloadingThePageJoinsAgainUnderTheSameName() throws Exception {
        ann.reload();
        ann.awaitState("joined");
        assertThat(ann.hook("name")).isEqualTo("wann");
        ben.awaitMessage(m -> m.equals("* wann joined"));
        ann.say("back after a reload");
        ben.awaitMessage("wann: back after a reload");
    }

    @Test
    @Order(4)
    void aDroppedConnectionIsReopenedAndTheRoomRejoined() throws Exception {
        ws.closeAll("the test drops every connection");
        Awaitility.await().atMost(Browser.WAIT).until(() -> "disconnected".equals(ann.state())
                || ann.statusText().contains("Reconnecting") || "connecting".equals(ann.state()));
        ann.awaitState("joined");
        ben.awaitState("joined");
        assertThat(ann.hook("name")).isEqualTo("wann");
        ann.say("still here after the drop");
        ben.awaitMessage("wann: still here after the drop");
    }

    @Test
    @Order(5)
    void aChangedServerKeyIsRefusedWithAPlainWarning() throws Exception {
        try (Browser eve = new Browser()) {
            eve.open(page());
            eve.script("localStorage.setItem('ciphergram.pinned-server:' + location.origin, arguments[0])",
                    "SHA256:" + "A".repeat(43));
            eve.reload();
            eve.byTestId("username-input").sendKeys("weve", org.openqa.selenium.Keys.ENTER);
            eve.awaitState("error");
            assertThat(eve.statusText()).contains("CHANGED").contains("impersonating");
            ann.say("/who");
            ann.awaitMessage(m -> m.startsWith("* online (") && m.contains("wann"));
            assertThat(ann.messages()).noneMatch(m -> m.contains("weve"));
        }
    }

    @Test
    @Order(6)
    void thePageWorksAtPhoneWidth() throws Exception {
        try (Browser phone = new Browser(390, 844)) {
            phone.open(page());
            phone.join("wphone");
            ann.awaitMessage("* wphone joined");
            Number overflow = (Number) phone.script("return document.documentElement.scrollWidth - window.innerWidth");
            assertThat(overflow.intValue()).as("no sideways scrolling").isLessThanOrEqualTo(0);
            phone.say("typed on a phone");
            ann.awaitMessage("wphone: typed on a phone");
        }
        ann.awaitMessage("* wphone left");
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
