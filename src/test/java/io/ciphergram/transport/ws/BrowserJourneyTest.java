package io.ciphergram.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Keys;

import io.ciphergram.testing.Browser;
import io.ciphergram.testing.ChatPeer;
import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.testing.RecordingTcpProxy;
import io.ciphergram.testing.Scratch;
import io.ciphergram.testing.V2Peer;
import io.ciphergram.transport.udp.UdpTransport;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The browser page in a real headless Chromium, joined through the WebSocket gateway, in one room with v2
 * console clients and a classic (original-format) client. Each test opens its own browsers and peers under
 * names of its own, so any one runs alone and a failure stays in its test.
 */
@QuarkusTest
class BrowserJourneyTest {

    @Inject
    UdpTransport udp;

    @Inject
    WsTransport ws;

    @TestHTTPResource("/")
    URL root;

    @TempDir
    Path home;

    @BeforeAll
    static void chromiumIsInstalled() {
        assertTrue(Files.isExecutable(Browser.CHROMIUM) && Files.isExecutable(Browser.CHROMEDRIVER),
                "Debian's chromium and chromium-driver are missing (apt-get install chromium chromium-driver)");
    }

    private String page() {
        return root.toString();
    }

    private String origin() {
        return root.getProtocol() + "://" + root.getHost() + ":" + root.getPort();
    }

    /** A v2 console client in the room; it trusts the server on first use in its own known_servers. */
    private V2Peer console(String name) throws Exception {
        V2Peer peer = V2Peer.join(udp.port(), name, home.resolve(name + ".known"));
        peer.awaitLine(l -> l.startsWith("* you are " + name));
        return peer;
    }

    /** Opens the page and joins; {@code witness} (already in the room) sees the join, so both are members. */
    private static void join(Browser browser, String url, String name, ChatPeer<?> witness) {
        browser.open(url);
        browser.join(name);
        witness.awaitLine("* " + name + " joined");
    }

    @Test
    void browsersAConsoleClientAndAClassicClientChatEveryWay() throws Exception {
        String annSecret = "ann's plain words 4711";
        String benSecret = "ben whispers 0815";
        try (V2Peer carl = console("jcarl"); ClassicPeer dora = ClassicPeer.join(udp.port(), "jdora");
                Browser ann = new Browser(); Browser ben = new Browser()) {
            ann.open(page());
            org.awaitility.Awaitility.await().atMost(ClassicPeer.WAIT).untilAsserted(() -> assertThat(ann.focusedTestId())
                    .as("the name field has the focus, once the page has loaded").isEqualTo("username-input"));
            ann.join("jann");
            assertThat(ann.messages()).first().isEqualTo("* you are jann; /help lists commands");
            assertThat(ann.focusedTestId()).as("then the message field").isEqualTo("message-input");
            assertThat(ann.fingerprint()).startsWith("SHA256:").isEqualTo(ann.hook("fingerprint"));
            assertThat(ann.script("return Object.keys({ ...window.ciphergram }).sort().join()"))
                    .as("the debug hook tells state, name, fingerprints and room, and nothing else")
                    .isEqualTo("fingerprint,identity,name,room,state");
            assertThat((String) ann.hook("identity")).as("this browser profile's identity").startsWith("SHA256:");
            assertThat(ann.script("return localStorage.getItem('ciphergram.pinned-server:' + location.origin)"))
                    .as("the fingerprint is pinned for this origin").isEqualTo(ann.fingerprint());
            carl.awaitLine("* jann joined");
            join(ben, page(), "jben", carl);
            dora.awaitLine("* jben joined");

            ann.say(annSecret);
            ben.awaitMessage("jann: " + annSecret);
            carl.awaitLine("jann: " + annSecret);
            dora.awaitLine("jann: " + annSecret);
            ann.awaitMessage("you: " + annSecret);

            ben.say("hello from ben ✓");
            ann.awaitMessage("jben: hello from ben ✓");
            carl.awaitLine("jben: hello from ben ✓");
            dora.awaitLine("jben: hello from ben ✓");

            carl.say("hello from the console");
            ann.awaitMessage("jcarl: hello from the console");
            ben.awaitMessage("jcarl: hello from the console");
            String markup = "<b>bold</b><img src=x onerror=\"window.pwned=1\">";
            carl.say(markup);
            ann.awaitMessage("jcarl: " + markup); // shown as the characters it is, not as markup
            assertThat(ann.script("return window.pwned === undefined"
                    + " && document.querySelectorAll('[data-testid=message-list] b, [data-testid=message-list] img').length === 0"))
                    .as("text is never rendered as HTML").isEqualTo(true);
            dora.say("hello from the original client, jann");
            ann.awaitMessage("jdora: hello from the original client, jann");
            ben.awaitMessage("jdora: hello from the original client, jann");
            assertThat(ann.script("return document.querySelector('[data-testid=message].mention')?.textContent"))
                    .as("a line naming ann is marked for her").asString().contains("hello from the original client, jann");

            ben.say("/msg jann " + benSecret); // both hold an identity: sealed end to end
            ann.awaitMessage("jben (private, end-to-end): " + benSecret);
            ben.awaitMessage("you → jann (private, end-to-end): " + benSecret);
            ann.say("/who");
            Awaitility.await().atMost(Browser.WAIT).until(() -> ann.online()
                    .containsAll(List.of("jann (you)", "jben", "jcarl", "jdora")));
            assertThat(ann.messageTimes()).as("every line shows the time it came, HH:MM")
                    .hasSameSizeAs(ann.messages()).allMatch(t -> t.matches("\\d\\d:\\d\\d"));
            // target/screenshot.png on every run; -Dciphergram.screenshot=docs/screenshot.png refreshes the README's
            ann.screenshot(Path.of(System.getProperty("ciphergram.screenshot", "target/screenshot.png")));

            ChatPeer.barrier(carl, "jcarl", dora);
            ann.awaitMessage("jcarl: barrier");
            assertThat(carl.received()).noneMatch(l -> l.contains(benSecret));
            assertThat(dora.received()).noneMatch(l -> l.contains(benSecret));
        }
    }

    @Test
    void twoBrowsersWriteEndToEndAndTheLockSaysSoWhileARelayReadableOneIsMarkedApart() throws Exception {
        String sealed = "for vann only 9146";
        String readable = "the relay can read this 5531";
        try (V2Peer carl = console("vcarl"); Browser ann = new Browser(); Browser ben = new Browser()) {
            join(ann, page(), "vann", carl);
            join(ben, page(), "vben", carl);
            ben.say("/msg vann " + sealed);
            Map<String, Object> got = ann.awaitLine("vben (private, end-to-end): " + sealed);
            assertThat(got).as("a lock, and the words a screen reader reads")
                    .containsEntry("kind", "private-e2e").containsEntry("lock", "end-to-end encrypted")
                    .containsEntry("lockShown", "lock").containsEntry("readable", null);
            assertThat(ben.awaitLine("you → vann (private, end-to-end): " + sealed))
                    .containsEntry("kind", "own-private-e2e").containsEntry("lock", "end-to-end encrypted");

            carl.say("/msg vann " + readable); // a console client without an identity: the relay reads it
            Map<String, Object> plain = ann.awaitLine("vcarl (private): " + readable);
            assertThat(plain).as("marked as private, without the lock").containsEntry("kind", "private")
                    .containsEntry("lock", null).containsEntry("readable", "(private), readable by the relay");

            ann.say("/msg vben and back " + sealed);
            ben.awaitLine("vann (private, end-to-end): and back " + sealed);
            ann.say("/verify vben");
            String mine = ann.awaitMessage(m -> m.startsWith("* safety number with vben: "));
            ben.say("/verify vann");
            String theirs = ben.awaitMessage(m -> m.startsWith("* safety number with vann: "));
            assertThat(mine.substring(mine.indexOf(": ") + 2)).as("the same sixty digits on both sides")
                    .matches("(\\d{5} ){11}\\d{5}").isEqualTo(theirs.substring(theirs.indexOf(": ") + 2));

            ChatPeer.barrier(carl, "vcarl");
            ann.awaitMessage("vcarl: barrier");
            assertThat(carl.received()).noneMatch(l -> l.contains("9146"));
        }
    }

    @Test
    void aPageAndAConsoleClientWriteEndToEndEveryWayOneOfThemOfflineInBetween() throws Exception {
        // Names of its own: a name is bound to the first identity (here, browser profile) that takes it.
        java.nio.file.Path dir = Scratch.directory("page-console");
        io.ciphergram.testing.ConsoleClient con = io.ciphergram.testing.ConsoleClient.start(udp.port(), dir, "zpcon");
        con.quit(); // its name bound to its identity, its prekey published: then it is away
        try (V2Peer carl = console("zpcarl"); Browser ann = new Browser()) {
            join(ann, page(), "zpann", carl);
            ann.say("/msg zpcon while you were away 7710");
            ann.awaitMessage("* zpcon is offline: stored end to end, delivered when zpcon returns");
            con = io.ciphergram.testing.ConsoleClient.start(udp.port(), dir, "zpcon");
            con.awaitOutput("zpann (private, end-to-end): while you were away 7710");
            con.type("/msg zpann back to the page 7711");
            assertThat(ann.awaitLine("zpcon (private, end-to-end): back to the page 7711"))
                    .containsEntry("kind", "private-e2e").containsEntry("lock", "end-to-end encrypted");
            ann.say("/verify zpcon");
            String page = ann.awaitMessage(m -> m.startsWith("* safety number with zpcon: "));
            con.type("/verify zpann");
            con.awaitOutput("* safety number with zpann: ");
            String shown = con.stdout().lines().filter(l -> l.startsWith("* safety number with zpann: ")).findFirst()
                    .orElseThrow();
            assertThat(shown.substring(shown.indexOf(": ") + 2)).as("the page and the console show one number")
                    .isEqualTo(page.substring(page.indexOf(": ") + 2));
            con.quit();
        }
    }

    @Test
    void aRoomJoinedFromThePanelKeepsItsLinesFromTheLobby() throws Exception {
        try (V2Peer carl = console("wcarl"); V2Peer dan = console("wdan"); Browser ann = new Browser(); Browser ben = new Browser()) {
            join(ann, page(), "wann", carl);
            join(ben, page(), "wben", carl); // a second page, which stays in the lobby
            assertThat(ann.currentRoom()).isEqualTo("#lobby");
            dan.say("/join #wdev");
            dan.awaitLine("* you are in #wdev");
            carl.awaitLine("* wdan left");
            Awaitility.await().atMost(Browser.WAIT).until(() -> ann.rooms().contains("#wdev (1)"));

            ann.chooseRoom("#wdev");
            dan.awaitLine("* wann joined");
            Awaitility.await().atMost(Browser.WAIT).until(() -> "#wdev".equals(ann.currentRoom()));
            assertThat(ann.hook("room")).isEqualTo("#wdev");
            Awaitility.await().atMost(Browser.WAIT).until(() -> ann.rooms().contains("#wdev (2)"));
            Awaitility.await().atMost(Browser.WAIT).until(() -> ann.online().containsAll(List.of("wann (you)", "wdan")));
            assertThat(ann.online()).doesNotContain("wcarl");

            dan.say("only for #wdev 6620");
            ann.awaitMessage("wdan: only for #wdev 6620");
            ann.say("wann in #wdev 7731");
            dan.awaitLine("wann: wann in #wdev 7731");
            carl.say("only for the lobby 8842");
            carl.say("/who"); // answered after the line was relayed to the lobby
            carl.awaitLine(l -> l.startsWith("* online ("));
            ChatPeer.barrier(dan, "wdan");
            ann.awaitMessage("wdan: barrier");
            ben.awaitMessage("wcarl: only for the lobby 8842");
            ben.say("ben in the lobby 9953");
            carl.awaitLine("wben: ben in the lobby 9953");
            dan.say("after ben 1234"); // relayed after ben's line, which carl has
            ann.awaitMessage("wdan: after ben 1234");
            assertThat(carl.received()).noneMatch(l -> l.contains("6620") || l.contains("7731"));
            assertThat(ben.messages()).as("the page in the lobby").noneMatch(m -> m.contains("6620") || m.contains("7731"));
            assertThat(ann.messages()).noneMatch(m -> m.contains("8842") || m.contains("9953"));
        }
    }

    @Test
    void earlierLinesOfTheRoomAreShownMutedWithTheirTimeOnArrival() throws Exception {
        try (V2Peer carl = console("xcarl"); Browser ann = new Browser()) {
            carl.say("/join #xhist");
            carl.awaitLine("* you are in #xhist");
            carl.say("said before ann came 1");
            carl.say("said before ann came 2");
            carl.say("/who"); // answered after both lines were taken
            carl.awaitLine(l -> l.startsWith("* online ("));
            ann.open(page());
            ann.join("xann");
            ann.say("/join #xhist");
            ann.awaitMessage("* you are in #xhist");
            carl.awaitLine("* xann joined");
            Map<String, Object> first = ann.awaitLine("xcarl: said before ann came 1");
            assertThat(first).as("history: muted, with the time it was said").containsEntry("history", true)
                    .containsEntry("muted", true);
            assertThat((String) first.get("time")).matches("\\d\\d:\\d\\d");
            assertThat(ann.awaitLine("xcarl: said before ann came 2")).containsEntry("history", true);
            carl.say("said while ann is here");
            assertThat(ann.awaitLine("xcarl: said while ann is here")).as("a live line")
                    .containsEntry("history", false).containsEntry("muted", false);
            List<String> bodies = ann.messages();
            assertThat(bodies.indexOf("xcarl: said before ann came 2")).as("oldest first, before the live line")
                    .isGreaterThan(bodies.indexOf("xcarl: said before ann came 1"))
                    .isLessThan(bodies.indexOf("xcarl: said while ann is here"));
        }
    }

    @Test
    void noChatTextCrossesTheWebSocketInClear() throws Exception {
        String said = "said in the room 4711";
        String whispered = "whispered to kcarl 0815";
        String heard = "heard privately 2342";
        try (RecordingTcpProxy proxy = new RecordingTcpProxy(root.getPort()); V2Peer carl = console("kcarl");
                Browser ann = new Browser()) {
            join(ann, "http://localhost:" + proxy.port() + "/", "kann", carl);
            ann.say(said);
            ann.say("/msg kcarl " + whispered);
            carl.say("/msg kann " + heard);
            carl.awaitLine("kann: " + said);
            carl.awaitLine("kann (private): " + whispered);
            ann.awaitMessage("kcarl (private): " + heard);

            List<RecordingTcpProxy.Frame> frames = proxy.clientFrames();
            List<RecordingTcpProxy.Frame> data = frames.stream().filter(f -> f.opcode() == 2).toList();
            assertThat(data).as("binary frames from the browser").hasSizeGreaterThan(5);
            assertThat(frames).as("no text frames").noneMatch(f -> f.opcode() == 1);
            assertThat(data).as("each one a v2 datagram").allMatch(f -> f.payload().length >= 3
                    && f.payload()[0] == (byte) 0xFF && f.payload()[1] == 0x02 && f.payload().length <= 1200);
            for (String secret : List.of(said, whispered, "4711", "0815")) {
                byte[] plain = secret.getBytes(StandardCharsets.UTF_8);
                assertThat(data).as(secret).noneMatch(f -> contains(f.payload(), plain));
            }
        }
    }

    @Test
    void reloadingThePageJoinsAgainUnderTheSameName() throws Exception {
        try (V2Peer carl = console("lcarl"); Browser ann = new Browser()) {
            join(ann, page(), "lann", carl);
            ann.reload();
            carl.awaitLine("* lann left"); // the page said Close as it went
            carl.awaitLine("* lann joined");
            ann.awaitState("joined");
            assertThat(ann.hook("name")).isEqualTo("lann");
            ann.say("back after a reload");
            carl.awaitLine("lann: back after a reload");
        }
    }

    @Test
    void aDroppedConnectionIsReopenedAndTheInputWaitsUntilTheRoomIsJoinedAgain() throws Exception {
        try (V2Peer carl = console("mcarl"); Browser ann = new Browser()) {
            join(ann, page(), "mann", carl);
            assertThat(ann.focusedTestId()).isEqualTo("message-input");
            carl.say("before the drop");
            ann.awaitMessage("mcarl: before the drop");
            ws.closeAll("the test drops every connection");
            @SuppressWarnings("unchecked")
            List<Object> away = Awaitility.await().atMost(Browser.WAIT).until(() -> (List<Object>) ann.script(
                    "return [document.querySelector('[data-testid=status]').dataset.state,"
                            + " document.querySelector('[data-testid=message-input]').disabled,"
                            + " document.querySelector('[data-testid=send-button]').disabled]"),
                    seen -> !"joined".equals(seen.get(0)));
            assertThat(away.subList(1, 3)).as("while not in the room (%s), nothing can be typed or sent", away.get(0))
                    .containsExactly(true, true);
            ann.awaitState("joined");
            assertThat(ann.byTestId("message-input").isEnabled()).isTrue();
            assertThat(ann.focusedTestId()).as("the focus is back where it was").isEqualTo("message-input");
            assertThat(ann.hook("name")).isEqualTo("mann");
            carl.awaitLine("* mann joined");
            ann.say("still here after the drop");
            carl.awaitLine("mann: still here after the drop");
            carl.say("after the drop");
            ann.awaitMessage("mcarl: after the drop");
            assertThat(ann.messages()).as("resumed after the last line it had: never a line twice")
                    .containsOnlyOnce("mcarl: before the drop");
        }
    }

    @Test
    void aChangedServerKeyIsRefusedWithAPlainWarning() throws Exception {
        try (V2Peer carl = console("ncarl"); Browser eve = new Browser()) {
            eve.open(page());
            eve.script("localStorage.setItem('ciphergram.pinned-server:' + location.origin, arguments[0])",
                    "SHA256:" + "A".repeat(43));
            eve.reload();
            eve.byTestId("username-input").sendKeys("neve", Keys.ENTER);
            eve.awaitState("error");
            assertThat(eve.statusText()).contains("CHANGED").contains("impersonating");
            carl.say("/who");
            assertThat(carl.awaitLine(l -> l.startsWith("* online ("))).doesNotContain("neve");
            assertThat(carl.received()).noneMatch(m -> m.contains("neve"));
            assertThat(eve.state()).as("no retry after a changed key").isEqualTo("error");
        }
    }

    @Test
    void thePageWorksAtPhoneWidth() throws Exception {
        try (V2Peer carl = console("ocarl")) {
            try (Browser phone = new Browser(390, 844)) {
                join(phone, page(), "ophone", carl);
                Number overflow = (Number) phone.script("return document.documentElement.scrollWidth - window.innerWidth");
                assertThat(overflow.intValue()).as("no sideways scrolling").isLessThanOrEqualTo(0);
                phone.say("typed on a phone");
                carl.awaitLine("ophone: typed on a phone");
            }
            carl.awaitLine("* ophone left");
        }
    }

    @Test
    void sixtyFourKibibyteLinesCrossWholeBothWays() throws Exception {
        try (V2Peer carl = console("pcarl"); Browser ann = new Browser()) {
            join(ann, page(), "pann", carl);
            // The relay prefixes "NAME: " and a framed recipient's Line frame adds its header: these are the
            // longest texts every recipient gets whole (docs/PROTOCOL.md, "Texts the relay sends").
            int longest = 65_536 - io.ciphergram.protocol.v2.AppCodec.LINE_OVERHEAD;
            String fromPage = "q".repeat(longest - "pann: ".length() - 3) + "✓";
            ann.script("document.querySelector('[data-testid=message-input]').value = arguments[0]", fromPage);
            ann.byTestId("send-button").click();
            assertThat(carl.awaitLine(l -> l.startsWith("pann: q"))).isEqualTo("pann: " + fromPage);
            String fromConsole = "w".repeat(longest - "pcarl: ".length() - 3) + "日";
            carl.say(fromConsole);
            ann.awaitMessage(m -> m.equals("pcarl: " + fromConsole));
            String middling = "é".repeat(1500);
            ann.say(middling);
            assertThat(carl.awaitLine(l -> l.startsWith("pann: é"))).isEqualTo("pann: " + middling);
        }
    }

    @Test
    void choosingANameInTheOnlineListStartsAPrivateMessage() throws Exception {
        try (V2Peer carl = console("qcarl"); Browser ann = new Browser()) {
            join(ann, page(), "qann", carl);
            Awaitility.await().atMost(Browser.WAIT).until(() -> ann.online().contains("qcarl"));
            ann.byTestId("online-list").findElement(org.openqa.selenium.By.cssSelector("button[data-name=qcarl]")).click();
            assertThat(ann.focusedTestId()).isEqualTo("message-input");
            assertThat(ann.byTestId("message-input").getAttribute("value")).isEqualTo("/msg qcarl ");
            ann.driver().switchTo().activeElement().sendKeys("psst", Keys.ENTER);
            carl.awaitLine("qann (private): psst");
            ann.awaitMessage("you → qcarl (private): psst");
        }
    }

    @Test
    void quitLeavesTheRoomAndDoesNotReconnect() throws Exception {
        try (V2Peer carl = console("rcarl"); Browser ann = new Browser()) {
            join(ann, page(), "rann", carl);
            ann.say("/quit");
            ann.awaitState("disconnected");
            assertThat(ann.statusText()).isEqualTo("You left the chat.");
            carl.awaitLine("* rann left");
            assertThat(ann.byTestId("username-input").isDisplayed()).as("the form is back").isTrue();
            Awaitility.await().during(Duration.ofSeconds(2)).atMost(Browser.WAIT)
                    .until(() -> "disconnected".equals(ann.state()));
        }
    }

    @Test
    void notificationsAreAskedForOnAClickNeverOnLoad() throws Exception {
        try (V2Peer carl = console("scarl"); Browser ann = new Browser()) {
            ann.recordNotifications();
            join(ann, page(), "sann", carl);
            assertThat(ann.script("return [window.__permissionRequests, Notification.permission]"))
                    .as("nothing asked on load or on joining").isEqualTo(List.of(0L, "default"));
            assertThat(ann.byTestId("notify-button").isDisplayed()).isTrue();
            assertThat(ann.byTestId("notify-state").getText()).startsWith("Off.");

            ann.grantNotifications(origin()); // what the user answers to the prompt the click brings up
            ann.byTestId("notify-button").click();
            Awaitility.await().atMost(Browser.WAIT).until(() -> ann.byTestId("notify-state").getText().startsWith("On:"));
            assertThat(ann.script("return window.__permissionRequests")).isEqualTo(1L);
            assertThat(ann.byTestId("notify-button").isDisplayed()).isFalse();
        }
    }

    @Test
    void whileThePageIsHiddenTheTitleCountsUnreadLinesAndAPrivateMessageOrMentionNotifies() throws Exception {
        try (V2Peer carl = console("tcarl"); Browser ann = new Browser()) {
            ann.recordNotifications();
            ann.grantNotifications(origin());
            join(ann, page(), "tann", carl);
            assertThat(ann.byTestId("notify-state").getText()).startsWith("On:");

            String pageTab = ann.hidePageBehindNewTab();
            carl.say("a line for the room");
            try (V2Peer dan = console("tdan")) {
                carl.awaitLine("* tdan joined"); // a notice: not counted
            }
            carl.say("look here, tann");
            carl.say("/msg tann psst");
            Awaitility.await().atMost(Browser.WAIT).until(() -> "(3) Ciphergram".equals(ann.tabTitle(page())));

            ann.backTo(pageTab);
            Awaitility.await().atMost(Browser.WAIT).until(() -> "Ciphergram".equals(ann.script("return document.title")));
            assertThat(ann.script("return window.__notifications")).as("what the page showed while hidden")
                    .isEqualTo(List.of(List.of("tcarl mentioned you", "look here, tann"), List.of("tcarl (private)", "psst")));

            carl.say("/msg tann seen as it comes");
            ann.awaitMessage("tcarl (private): seen as it comes");
            assertThat(ann.script("return [document.title, window.__notifications.length]"))
                    .as("nothing while the user looks at the page").isEqualTo(List.of("Ciphergram", 2L));
        }
    }

    @Test
    void theColoursFollowTheSystemsLightOrDarkPreference() throws Exception {
        try (Browser browser = new Browser()) {
            browser.open(page());
            browser.prefersColorScheme("light");
            double[] onLight = colours(browser);
            browser.prefersColorScheme("dark");
            double[] onDark = colours(browser);
            assertThat(onLight[0]).as("light background").isGreaterThan(0.9);
            assertThat(onDark[0]).as("dark background").isLessThan(0.05);
            for (double[] scheme : List.of(onLight, onDark)) {
                assertThat(contrast(scheme[0], scheme[1])).as("text on the page").isGreaterThanOrEqualTo(7);
                assertThat(contrast(scheme[0], scheme[2])).as("hints on the page").isGreaterThanOrEqualTo(4.5);
            }
        }
    }

    @Test
    void scrolledUpTheListKeepsItsPlaceAndOffersAJumpToTheNewest() throws Exception {
        try (V2Peer carl = console("ucarl"); Browser ann = new Browser()) {
            join(ann, page(), "uann", carl);
            for (int i = 1; i <= 40; i++) {
                carl.say("line " + i);
            }
            ann.awaitMessage("ucarl: line 40");
            assertThat(scrolledFromBottom(ann)).as("it follows the newest line").isLessThan(5);
            assertThat(ann.byTestId("jump-to-newest").isDisplayed()).isFalse();

            ann.script("document.querySelector('[data-testid=message-list]').scrollTop = 100");
            carl.say("after 1");
            carl.say("after 2");
            ann.awaitMessage("ucarl: after 2");
            assertThat(ann.script("return document.querySelector('[data-testid=message-list]').scrollTop"))
                    .as("the reader's place").isEqualTo(100L);
            Awaitility.await().atMost(Browser.WAIT).until(() -> ann.byTestId("jump-to-newest").isDisplayed());
            assertThat(ann.byTestId("jump-to-newest").getText()).isEqualTo("2 new lines ↓");

            ann.byTestId("jump-to-newest").click();
            assertThat(scrolledFromBottom(ann)).isLessThan(5);
            assertThat(ann.byTestId("jump-to-newest").isDisplayed()).isFalse();

            ann.script("document.querySelector('[data-testid=message-list]').scrollTop = 0");
            ann.say("my own line takes me down");
            assertThat(scrolledFromBottom(ann)).as("a line of one's own shows at once").isLessThan(5);
        }
    }

    @Test
    void droppingTheOldestLinesKeepsTheReadersPlace() throws Exception {
        try (Browser ann = new Browser()) {
            ann.open(page());
            // The page's own MessageList in this browser, bounded to 20 lines, so no 1,000 lines need be said.
            Object moved = ann.driver().executeAsyncScript(String.join("\n",
                    "const done = arguments[arguments.length - 1];",
                    "import('./src/page/message-list.js').then(({ MessageList }) => {",
                    "  const list = document.createElement('ol');",
                    "  list.className = 'messages';",
                    "  list.style.cssText = 'height: 200px; max-height: 200px; overflow-y: auto';",
                    "  const jump = document.createElement('button');",
                    "  document.body.append(list, jump);",
                    "  const lines = new MessageList(list, jump, { max: 20 });",
                    "  const line = (i) => ({ kind: 'message', sender: 'bob', text: 'line ' + i, mention: false, at: new Date() });",
                    "  for (let i = 1; i <= 20; i++) lines.append(line(i));",
                    "  list.scrollTop = 300;",
                    "  const top = list.getBoundingClientRect().top;",
                    "  const reading = [...list.children].find((li) => li.getBoundingClientRect().bottom > top);",
                    "  const before = reading.getBoundingClientRect().top;",
                    "  for (let i = 21; i <= 25; i++) lines.append(line(i));",
                    "  done([list.childElementCount, list.firstElementChild.textContent.includes('line 6'),",
                    "    reading.isConnected, reading.getBoundingClientRect().top - before, jump.hidden]);",
                    "}, (e) => done(String(e)));"));
            @SuppressWarnings("unchecked")
            List<Object> seen = (List<Object>) moved;
            assertThat(seen.get(0)).as("lines kept").isEqualTo(20L);
            assertThat(seen.subList(1, 3)).as("the oldest is line 6, the line being read is still there")
                    .containsExactly(true, true);
            assertThat(((Number) seen.get(3)).doubleValue()).as("pixels the line being read moved").isBetween(-1.0, 1.0);
            assertThat(seen.get(4)).as("the jump is offered").isEqualTo(false);
        }
    }

    /** [background, text, hint] relative luminances (WCAG 2.x) of the page as rendered. */
    private static double[] colours(Browser browser) {
        @SuppressWarnings("unchecked")
        List<String> rgb = (List<String>) browser.script("return [getComputedStyle(document.documentElement).backgroundColor,"
                + " getComputedStyle(document.body).color,"
                + " getComputedStyle(document.querySelector('.hint')).color]");
        return rgb.stream().mapToDouble(BrowserJourneyTest::luminance).toArray();
    }

    private static double luminance(String cssRgb) {
        String[] parts = cssRgb.replaceAll("[^0-9,.]", "").split(",");
        double[] channel = new double[3];
        for (int i = 0; i < 3; i++) {
            double c = Double.parseDouble(parts[i]) / 255;
            channel[i] = c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * channel[0] + 0.7152 * channel[1] + 0.0722 * channel[2];
    }

    private static double contrast(double a, double b) {
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    }

    private static long scrolledFromBottom(Browser browser) {
        return (Long) browser.script("const l = document.querySelector('[data-testid=message-list]');"
                + " return Math.round(l.scrollHeight - l.scrollTop - l.clientHeight)");
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
