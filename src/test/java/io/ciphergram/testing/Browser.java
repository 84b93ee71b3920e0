package io.ciphergram.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.awaitility.Awaitility;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The browser page in a real headless Chromium (Debian's {@code chromium}, driven by its
 * {@code chromedriver}, both given by path so that nothing is downloaded), seen only through its stable
 * {@code data-testid} hooks, never its styling.
 */
public final class Browser implements AutoCloseable {

    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    public static final Duration WAIT = Duration.ofSeconds(20);

    private final ChromeDriver driver;
    private final Path profile;

    public Browser() throws IOException {
        this(1200, 900);
    }

    public Browser(int width, int height) throws IOException {
        profile = Files.createTempDirectory("ciphergram-chromium");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments("--headless=new",
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile, "--window-size=" + width + "," + height);
        driver = new ChromeDriver(service, options);
    }

    public void open(String url) {
        driver.get(url);
    }

    public WebElement byTestId(String id) {
        return driver.findElement(By.cssSelector("[data-testid=\"" + id + "\"]"));
    }

    /** Types the name and presses Enter, as a keyboard user would. */
    public void join(String name) {
        WebElement input = byTestId("username-input");
        Awaitility.await().atMost(WAIT).until(input::isEnabled);
        input.clear();
        input.sendKeys(name, Keys.ENTER);
        awaitState("joined");
    }

    public void say(String text) {
        WebElement input = byTestId("message-input");
        input.sendKeys(text, Keys.ENTER);
        Awaitility.await().atMost(WAIT).until(() -> input.getAttribute("value").isEmpty());
    }

    public String state() {
        return byTestId("status").getAttribute("data-state");
    }

    public String statusText() {
        return byTestId("status").getText();
    }

    public void awaitState(String state) {
        Awaitility.await().atMost(WAIT).until(() -> state.equals(state()));
    }

    /** Each line of the message list as shown, without its time: "bob: hi", "* carl joined". */
    @SuppressWarnings("unchecked")
    public List<String> messages() {
        // one script for the whole list: a 64 KiB line or a thousand lines read at once
        return (List<String>) script("return [...document.querySelectorAll("
                + "'[data-testid=\"message\"] [data-testid=\"message-body\"]')].map((b) => b.textContent)");
    }

    /** The time shown on each line, in order. */
    @SuppressWarnings("unchecked")
    public List<String> messageTimes() {
        return (List<String>) script("return [...document.querySelectorAll("
                + "'[data-testid=\"message\"] [data-testid=\"message-time\"]')].map((t) => t.textContent)");
    }

    /**
     * Each line of the message list with what marks it: {@code body} (as {@link #messages}), {@code kind}
     * (message, notice, private, private-e2e, own, own-private, own-private-e2e), {@code history} (said before
     * the page came, muted), {@code lock} (the end-to-end lock's words for a screen reader, or null), {@code lockShown} ("lock" when
     * its icon is drawn),
     * {@code readable} (the mark of a private message the relay could read, or null), {@code time} (HH:MM) and
     * {@code muted} (its opacity is below 1).
     */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> lines() {
        return (List<Map<String, Object>>) script("return [...document.querySelectorAll('[data-testid=\"message\"]')]"
                + ".map((li) => ({ body: li.querySelector('[data-testid=\"message-body\"]').textContent,"
                + " kind: li.dataset.kind, history: li.dataset.history === 'true',"
                + " lock: li.querySelector('[data-testid=\"e2e-lock\"] .visually-hidden')?.textContent ?? null,"
                + " lockShown: li.querySelector('[data-testid=\"e2e-lock\"] svg[aria-hidden=\"true\"]')?.dataset.icon ?? null,"
                + " readable: li.querySelector('[data-testid=\"readable-mark\"]')?.textContent ?? null,"
                + " time: li.querySelector('[data-testid=\"message-time\"]').textContent,"
                + " muted: Number(getComputedStyle(li).opacity) < 1 }))");
    }

    /** The line whose body is exactly {@code body}, once it is shown. */
    public Map<String, Object> awaitLine(String body) {
        awaitMessage(body::equals);
        return lines().stream().filter(l -> body.equals(l.get("body"))).findFirst().orElseThrow();
    }

    /** The rooms the side panel lists, as shown: "#dev (2)". */
    @SuppressWarnings("unchecked")
    public List<String> rooms() {
        // one script: the panel is redrawn whenever a /rooms answer comes
        return (List<String>) script("return [...document.querySelectorAll("
                + "'[data-testid=\"room-list\"] button[data-room]')].map((b) => b.textContent)");
    }

    /** Clicks the room {@code room} in the side panel, once it is listed. */
    public void chooseRoom(String room) {
        Awaitility.await().atMost(WAIT).until(() -> !byTestId("room-list")
                .findElements(By.cssSelector("button[data-room=\"" + room + "\"]")).isEmpty());
        byTestId("room-list").findElement(By.cssSelector("button[data-room=\"" + room + "\"]")).click();
    }

    /** The current room's name as the page shows it. */
    public String currentRoom() {
        return byTestId("current-room").getText();
    }

    public String awaitMessage(Predicate<String> matching) {
        try {
            return Awaitility.await().atMost(WAIT)
                    .until(() -> messages().stream().filter(matching).findFirst().orElse(null), m -> m != null);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not shown within " + WAIT + "; the last lines shown: " + lastLines(), e);
        }
    }

    /** The last few lines shown (cut to 200 characters each), for a failure's message. */
    private List<String> lastLines() {
        List<String> all = messages();
        return all.subList(Math.max(0, all.size() - 15), all.size()).stream()
                .map(l -> l.length() > 200 ? l.substring(0, 200) + "…" : l).toList();
    }

    public String awaitMessage(String containing) {
        return awaitMessage(m -> m.contains(containing));
    }

    public List<String> online() {
        return byTestId("online-list").findElements(By.tagName("li")).stream().map(WebElement::getText).toList();
    }

    public String fingerprint() {
        return byTestId("server-fingerprint").getText();
    }

    /** The page's own read-only debug hook, {@code window.ciphergram}. */
    public Object hook(String property) {
        return ((JavascriptExecutor) driver).executeScript("return window.ciphergram." + property);
    }

    public Object script(String javascript, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(javascript, args);
    }

    public String focusedTestId() {
        return (String) script("return document.activeElement && document.activeElement.dataset.testid || null");
    }

    public void reload() {
        driver.navigate().refresh();
    }

    /** A Chrome DevTools Protocol command on the current tab. */
    public Map<String, Object> devTools(String command, Map<String, Object> parameters) {
        return driver.executeCdpCommand(command, parameters);
    }

    /**
     * From the next page load on, records what the page does with the real Notification API: how often it
     * asked for permission ({@code window.__permissionRequests}) and every notification it showed, as
     * [title, body] ({@code window.__notifications}). The calls still go to the browser.
     */
    public void recordNotifications() {
        devTools("Page.addScriptToEvaluateOnNewDocument", Map.of("source", String.join("\n",
                "window.__permissionRequests = 0;",
                "window.__notifications = [];",
                "const Real = window.Notification;",
                "const ask = Real.requestPermission.bind(Real);",
                "class Recorded extends Real {",
                "  constructor(title, options) { super(title, options); window.__notifications.push([title, options.body]); }",
                "}",
                "Recorded.requestPermission = (...args) => { window.__permissionRequests++; return ask(...args); };",
                "window.Notification = Recorded;")));
    }

    /** Grants this origin's notification permission, as the user would in the browser's prompt. */
    public void grantNotifications(String origin) {
        devTools("Browser.grantPermissions", Map.of("origin", origin, "permissions", List.of("notifications")));
    }

    /** Makes the page see the system's colour preference as {@code light} or {@code dark}. */
    public void prefersColorScheme(String scheme) {
        devTools("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
    }

    /**
     * Opens a blank tab in front of the page, which the page then sees as hidden, and returns the page's
     * window handle for {@link #backTo}; WebDriver commands now go to the blank tab.
     */
    public String hidePageBehindNewTab() {
        String page = driver.getWindowHandle();
        driver.switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
        return page;
    }

    /** Brings the page's tab back to the front (it is visible again) and sends WebDriver commands to it. */
    public void backTo(String pageHandle) {
        driver.close();
        driver.switchTo().window(pageHandle);
    }

    /** The title of the tab showing {@code url}, read from the browser, so it works while that tab is hidden. */
    @SuppressWarnings("unchecked")
    public String tabTitle(String url) {
        List<Map<String, Object>> targets = (List<Map<String, Object>>) devTools("Target.getTargets", Map.of())
                .get("targetInfos");
        return targets.stream().filter(t -> "page".equals(t.get("type")) && url.equals(t.get("url")))
                .map(t -> (String) t.get("title")).findFirst().orElse(null);
    }

    public void screenshot(Path to) throws IOException {
        Files.createDirectories(to.toAbsolutePath().getParent());
        Files.write(to, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }

    public ChromeDriver driver() {
        return driver;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary profile; the OS cleans up what is left
            }
        }
    }
}
