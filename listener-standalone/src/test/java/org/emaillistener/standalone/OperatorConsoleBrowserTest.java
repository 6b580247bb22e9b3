package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.testing.CreatioRequests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The operator console in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}),
 * against the standalone listener with GreenMail mailboxes: one whose password is wrong, one with a
 * parked message whose subject is HTML. Each step states how soon the page shows what it should. The
 * screenshots go to {@code target/console-screenshots}; README's are copies of them.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "listener.sync.max-rejections=1", "listener.jobs.retry-initial-delay=100ms",
                "listener.jobs.retry-max-delay=300ms", "listener.operator.api-key=operator-key" })
class OperatorConsoleBrowserTest extends EndToEndTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    /** A subject anyone can send: if the page rendered it as HTML, it would retitle the page. */
    private static final String HOSTILE_SUBJECT = "Poison <img src=x onerror=\"document.title='owned'\">";

    private WebDriver browser;
    private WebDriverWait wait;

    @BeforeEach
    void openChromium() {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Chromium is not installed here (apt-get install chromium chromium-driver): the operator console's "
                        + "browser tests are skipped; .ci/run installs both, so CI runs them");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=1440,1100", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(5));
    }

    @AfterEach
    void closeChromium() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void anOperatorFindsTheMailboxWithAWrongPasswordReadsItsErrorAndRedeliversParkedMail() throws Exception {
        String good = "good-" + UUID.randomUUID() + "@example.com";
        String bad = "bad-" + UUID.randomUUID() + "@example.com";
        String parking = "parking-" + UUID.randomUUID() + "@example.com";
        mail.addUser(good, "secret");
        mail.addUser(bad, "right");
        mail.addUser(parking, "secret");
        subscribe(good, "secret", List.of());
        UUID badMailbox = UUID.randomUUID();
        api().post("/api/listeners/create", CreatioRequests.array(CreatioRequests.imapMailbox(badMailbox, "127.0.0.1",
                mail.imapPort(), bad, "Hunter2", creatio.bpmEndpoint(), List.of())));
        UUID parkingMailbox = subscribe(parking, "secret", List.of());
        creatio.refuseEmails(email -> email.get("Subject").asString().startsWith("Poison"));
        mail.send(plain(parking, HOSTILE_SUBJECT));
        await().atMost(Duration.ofSeconds(20)).until(() -> management()
                .get("/operator/mailboxes/" + parkingMailbox, "X-Api-Key", "operator-key").body()
                .contains("\"parkedMessages\":[{"));

        browser.get("http://ops:operator-key@127.0.0.1:" + managementPort + "/operator/");
        String title = browser.getTitle();
        wait.until(driver -> !text("total-mailboxes").equals("–"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("by-state"), "auth-failed: 1"));

        new Select(browser.findElement(By.id("state-filter"))).selectByValue("auth-failed");
        browser.findElement(By.id("apply")).click();
        wait.until(driver -> rows().size() == 1 && rows().getFirst().getText().contains(bad));
        screenshot("console-filtered.png");

        rows().getFirst().click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("detail")));
        wait.until(driver -> text("detail-error").startsWith("authentication:"));
        assertThat(text("detail-title")).contains(bad, "auth-failed");
        assertThat(browser.findElement(By.id("detail")).getText()).doesNotContain("Hunter2", "right");
        screenshot("console-mailbox-error.png");

        new Select(browser.findElement(By.id("state-filter"))).selectByValue("");
        browser.findElement(By.id("text-filter")).sendKeys(parking);
        browser.findElement(By.id("apply")).click();
        wait.until(driver -> rows().size() == 1 && rows().getFirst().getText().contains(parking));
        rows().getFirst().click();
        wait.until(driver -> !browser.findElements(By.cssSelector("#parked tbody tr")).isEmpty());
        WebElement parked = browser.findElement(By.cssSelector("#parked tbody tr"));
        assertThat(parked.getText()).contains("<img src=x onerror=", "HTTP 400");
        assertThat(browser.findElements(By.cssSelector("#parked img"))).isEmpty();
        assertThat(browser.getTitle()).isEqualTo(title);
        ((JavascriptExecutor) browser).executeScript("document.getElementById('detail-title').scrollIntoView()");
        screenshot("console-parked.png");

        creatio.refuseEmails(email -> false);
        long clicked = System.nanoTime();
        parked.findElement(By.cssSelector("button.redeliver")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        await().atMost(Duration.ofSeconds(5)).until(() -> creatio.acceptedSubjects().contains(HOSTILE_SUBJECT));
        long deliveredMillis = (System.nanoTime() - clicked) / 1_000_000;
        wait.until(driver -> text("action-result").startsWith("queued UID"));
        WebDriverWait nextRefresh = new WebDriverWait(browser, Duration.ofSeconds(8));
        nextRefresh.until(driver -> browser.findElements(By.cssSelector("#parked tbody tr")).isEmpty());
        nextRefresh.until(ExpectedConditions.textToBePresentInElementLocated(By.id("recent-actions"),
                "ops (127.0.0.1) · redeliver"));
        assertThat(creatio.acceptedSubjects()).containsOnlyOnce(HOSTILE_SUBJECT);
        assertThat(((JavascriptExecutor) browser).executeScript("return document.title")).isEqualTo(title);
        screenshot("console-redelivered.png");
        System.out.printf("Redelivered from the console: at Creatio %d ms after the click%n", deliveredMillis);
    }

    @Test
    void thePageAsksForTheOperatorKeyAndIsNotOnCreatiosPort() {
        browser.get("http://127.0.0.1:" + managementPort + "/operator/");
        assertThat(browser.getPageSource()).doesNotContain("mailbox-table");

        browser.get("http://ops:operator-key@127.0.0.1:" + port + "/operator/");
        assertThat(browser.getPageSource()).doesNotContain("mailbox-table");
    }

    private List<WebElement> rows() {
        return browser.findElements(By.cssSelector("#mailbox-table tbody tr"));
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
