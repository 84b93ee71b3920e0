package io.ciphergram.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
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

    public List<String> messages() {
        return byTestId("message-list").findElements(By.cssSelector("[data-testid=\"message\"]")).stream()
                .map(WebElement::getText).toList();
    }

    public String awaitMessage(Predicate<String> matching) {
        return Awaitility.await().atMost(WAIT)
                .until(() -> messages().stream().filter(matching).findFirst().orElse(null), m -> m != null);
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
