"""The web console in a real browser: headless Chromium driven by Selenium.

Integration.ConsoleBrowser (Tests/IntegrationTests/ConsoleBrowserTests.swift) starts the api,
classifier and notifier against a scratch database and an SMTP server of its own, puts one
shadow-mode ticket in the review queue and runs this script, which does what a technician does:

  a. a signed-out visitor sees only the sign-in page;
  b. signs in with the link the SMTP server received;
  c. opens the ticket from the "Needs review" tab;
  d. edits the AI's held draft and sends it;
  e. corrects the category, sees it in the timeline and on the dashboard;
  f. a form posted without its CSRF token is refused and changes nothing.

With --screenshots DIR it also saves each page at desktop and phone width (deploy/local/screenshots.sh).
Exit status 0 when every step passed; a failed `assert` says what was expected.
"""

import argparse
import email
import email.policy
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

# Every wait ends: a page that never comes fails the step instead of hanging the test.
WAIT_SECONDS = 20
MAIL_WAIT_SECONDS = 30
WIDTHS = {"desktop": 1280, "phone": 390}
WINDOW_HEIGHT = 900


def step(text):
    print(f"--> {text}", flush=True)


def arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--console", required=True, help="the console's address, e.g. http://127.0.0.1:8080")
    parser.add_argument("--maildir", required=True, help="the Maildir the SMTP server keeps every message in")
    parser.add_argument("--email", required=True, help="the console user's address (a technician and a lead)")
    parser.add_argument("--ticket", required=True, type=int, help="the shadow-mode ticket with a held draft")
    parser.add_argument("--sentence", required=True, help="the sentence added to the draft before sending it")
    parser.add_argument("--screenshots", help="a folder for the pages' PNGs (none taken without it)")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    return parser.parse_args()


def browser(options):
    chrome = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", f"--window-size={WIDTHS['desktop']},{WINDOW_HEIGHT}"]:
        chrome.add_argument(argument)
    chrome.binary_location = options.chromium
    driver = webdriver.Chrome(options=chrome, service=Service(options.chromedriver))
    driver.set_page_load_timeout(WAIT_SECONDS)
    driver.set_script_timeout(WAIT_SECONDS)
    return driver


class Console:
    def __init__(self, driver, options):
        self.driver = driver
        self.base = options.console.rstrip("/")
        self.screenshots = options.screenshots
        self.wait = WebDriverWait(driver, WAIT_SECONDS)

    def open(self, path):
        self.driver.get(self.base + path)
        self.wait.until(lambda driver: driver.execute_script("return document.readyState") == "complete")

    @property
    def path(self):
        return urllib.parse.urlsplit(self.driver.current_url).path

    def find(self, selector):
        return self.wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, selector)))

    def all(self, selector):
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def heading(self):
        return self.find("h1").text

    def settled(self, read):
        """`read()`, again when Chrome answered with a node of the document it was replacing
        (seen once after a POST and its redirect); any other error is raised at once."""
        for attempt in range(5):
            try:
                return read()
            except WebDriverException as error:
                replaced = isinstance(error, StaleElementReferenceException) or "does not belong to the document" in str(error)
                if not replaced or attempt == 4:
                    raise
                time.sleep(0.2)

    def click_and_load(self, element):
        """Clicks a link or submit button and waits until the next page replaced this one."""
        old = self.find("html")
        element.click()
        self.wait.until(expected_conditions.staleness_of(old))
        self.wait.until(lambda driver: driver.execute_script("return document.readyState") == "complete")

    def screenshot(self, name):
        """The current page at each width, the window as tall as the page (full-page PNGs)."""
        if not self.screenshots:
            return
        os.makedirs(self.screenshots, exist_ok=True)
        for label, width in WIDTHS.items():
            self.driver.set_window_size(width, WINDOW_HEIGHT)
            height = self.driver.execute_script(
                "return Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)"
            )
            # The window's height counts some browser frame even headless: add it, so the whole page fits.
            frame = self.driver.execute_script("return window.outerHeight - window.innerHeight")
            self.driver.set_window_size(width, max(WINDOW_HEIGHT, int(height) + int(frame)))
            file = os.path.join(self.screenshots, f"{name}-{label}.png")
            assert self.driver.save_screenshot(file), f"could not save {file}"
            print(f"    saved {file}", flush=True)
        self.driver.set_window_size(WIDTHS["desktop"], WINDOW_HEIGHT)

    def session_cookie(self):
        cookie = self.driver.get_cookie("frontline_session")
        assert cookie and cookie.get("value"), f"the browser holds no session cookie: {self.driver.get_cookies()}"
        assert cookie.get("httpOnly"), "the session cookie is not HttpOnly"
        return f"frontline_session={cookie['value']}"

    def request(self, method, path, fields=None):
        """A request outside the browser with its session cookie; (status, body). Redirects are not followed."""

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        body = urllib.parse.urlencode(fields).encode() if fields is not None else None
        request = urllib.request.Request(self.base + path, data=body, method=method, headers={"Cookie": self.session_cookie()})
        if body is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=WAIT_SECONDS) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")


def sign_in_link(maildir, address, console):
    """The link of the newest sign-in email to `address` in the SMTP server's Maildir.

    The notifier sends it a moment after the request; bodies may be base64 or quoted-printable,
    so the message is parsed rather than searched."""
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    pattern = re.compile(re.escape(console.rstrip("/")) + r"/signin/[A-Za-z0-9_-]+")
    while True:
        links = []
        for folder in ("new", "cur"):
            directory = os.path.join(maildir, folder)
            for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
                with open(os.path.join(directory, name), "rb") as file:
                    message = email.message_from_binary_file(file, policy=email.policy.default)
                recipients = (message.get("X-RcptTo") or "").lower()
                if address.lower() not in recipients or message.get("X-Frontline-Kind") != "sign_in_link":
                    continue
                body = message.get_body(preferencelist=("plain", "html"))
                found = pattern.search(body.get_content() if body else "")
                if found:
                    links.append((os.path.getmtime(os.path.join(directory, name)), found.group(0)))
        if links:
            return max(links)[1]
        assert time.monotonic() < deadline, f"no sign-in email to {address} in {maildir} after {MAIL_WAIT_SECONDS} s"
        time.sleep(0.2)


def signed_out_visitor_sees_only_sign_in(console, ticket):
    step("a. a signed-out visitor opening /, /tickets/ID and /dashboard sees only the sign-in page")
    for path in ["/", f"/tickets/{ticket}", "/dashboard"]:
        console.open(path)
        assert console.path == "/signin", f"{path} showed {console.driver.current_url} to a signed-out visitor, not /signin"
        assert console.heading() == "Sign in", f"{path}: the page's heading is {console.heading()!r}"
        assert console.all('form[action="/signin"] input#email'), f"{path}: no email field on the sign-in page"
        assert not console.all('nav[aria-label="Main"]'), f"{path}: a signed-out visitor sees the main navigation"
        assert f"#{ticket}" not in console.driver.page_source, f"{path}: the sign-in page names the ticket"


def sign_in(console, options):
    step("b. ask for a sign-in link, read it from the SMTP server's Maildir, open it, confirm")
    console.open("/signin")
    console.screenshot("signin")
    field = console.find("input#email")
    field.send_keys(options.email)
    console.click_and_load(console.find('form[action="/signin"] button[type="submit"]'))
    assert "a link is on its way" in console.find('[role="status"]').text, "no confirmation that a link was sent"
    link = sign_in_link(options.maildir, options.email, options.console)
    print(f"    link: {link.rsplit('/', 1)[0]}/…", flush=True)
    console.driver.get(link)
    assert console.heading() == "Sign in", f"the link opened {console.heading()!r}, not the confirm page"
    console.click_and_load(console.find('form[action^="/signin/"] button[type="submit"]'))
    assert console.path == "/", f"signing in led to {console.driver.current_url}, not the queue"
    assert console.heading() == "Queue", f"signing in led to {console.heading()!r}, not the queue"
    console.session_cookie()


def open_from_review_queue(console, ticket):
    step("c. open the ticket from the queue's \"Needs review\" tab by clicking its link")
    review_tab = console.find('nav.tabs a[href="/?tab=review"]')
    assert review_tab.text == "Needs review (1)", f"the review tab reads {review_tab.text!r}, not its one ticket's count"
    console.click_and_load(review_tab)
    links = console.all(f'table.queue a[href="/tickets/{ticket}"]')
    assert links, f"ticket #{ticket} is not in the review queue: {console.find('table.queue').text}"
    console.screenshot("queue")
    console.click_and_load(links[0])
    assert console.path == f"/tickets/{ticket}", f"the link opened {console.driver.current_url}"
    assert f"#{ticket}" in console.heading(), f"the ticket page's heading is {console.heading()!r}"
    assert console.all("#conversation article.entry"), "the ticket page shows no conversation"
    category = console.find("#decision-category").text.strip()
    assert " / " in category, f"the AI's decision names no category and request type: {category!r}"
    console.screenshot("ticket")
    return category


def send_edited_draft(console, sentence):
    step("d. edit the AI's held draft and send it")
    draft = console.find("#draft-text")
    held = draft.get_attribute("value") or ""
    assert held.strip(), "the draft is empty: it should hold the AI's answer to the customer"
    draft.click()
    draft.send_keys(Keys.CONTROL, Keys.END)
    draft.send_keys("\n\n" + sentence)
    edited = draft.get_attribute("value")
    assert edited.startswith(held.rstrip()[:40]) and edited.rstrip().endswith(sentence), f"the draft did not take the edit: {edited!r}"
    console.click_and_load(console.find("#send-draft"))
    done = console.settled(lambda: console.find("#done").text)
    assert done.strip(), "no message after sending the draft"
    assert not console.settled(lambda: console.all("#problems")), f"sending was refused: {console.find('#problems').text}"
    assert not console.settled(lambda: console.all("#draft-text")), "the draft is still offered after it was sent"
    print(f"    {done}", flush=True)


def corrected_count(console, category):
    """The dashboard's count of corrected AI classifications in `category` (0 without a row)."""
    console.open("/dashboard")
    for row in console.all("#reviews-table tbody tr"):
        header = row.find_element(By.CSS_SELECTOR, "th").text.strip()
        cells = [cell.text.strip() for cell in row.find_elements(By.CSS_SELECTOR, "td")]
        if header == category:
            # Columns: Category | Classified by the AI, Confirmed, Corrected, Not reviewed, Reviewed.
            assert len(cells) == 5, f"the reviews table's row for {category} has {cells}"
            return int(cells[2])
    return 0


def correct_category(console, ticket, email_address, decided):
    step("e. correct the category, see it in the timeline and counted on the dashboard")
    ai_category = decided.split(" / ")[0]
    before = corrected_count(console, ai_category)
    console.open(f"/tickets/{ticket}")
    choice = Select(console.find("#category-choice"))
    # A catalog label reads "Category / Request type"; a placeholder option is none.
    other = [option.text for option in choice.options if " / " in option.text and option.text.split(" / ")[0] != ai_category]
    assert other, f"the category choice offers nothing outside {ai_category}: {[o.text for o in choice.options]}"
    label = other[0]
    choice.select_by_visible_text(label)
    console.click_and_load(console.find("#correct-category"))
    assert console.all("#done"), "no message after correcting the category"
    assert not console.all("#problems"), f"the correction was refused: {console.find('#problems').text}"
    expected = f"console:{email_address}: corrected to {label}"
    lines = [line.text for line in console.all("#timeline li")]
    assert any(expected in line for line in lines), f"no timeline line {expected!r} in {lines}"
    after = corrected_count(console, ai_category)
    assert after == before + 1, f"the dashboard counts {after} corrections for {ai_category} (before: {before})"
    console.screenshot("dashboard")


def refuses_without_csrf(console, ticket):
    step("f. a form posted without its CSRF token is refused with 403 and changes nothing")
    console.open(f"/tickets/{ticket}")
    entries = len(console.all("#conversation article.entry"))
    action = console.find("#note-form").get_attribute("action")
    path = urllib.parse.urlsplit(action).path
    assert path.startswith(f"/tickets/{ticket}/"), f"the note form posts to {action}"
    status, body = console.request("POST", path, {"text": "A note that must not be stored."})
    assert status == 403, f"a note without the CSRF token got {status}: {body[:300]}"
    assert "Refused" in body, "the 403 page does not say the form was refused"
    console.open(f"/tickets/{ticket}")
    assert len(console.all("#conversation article.entry")) == entries, "the refused note was stored"
    assert "A note that must not be stored." not in console.driver.page_source, "the refused note shows on the ticket"


def settings_page(console):
    status, _ = console.request("GET", "/settings")
    if status != 200:
        print(f"    /settings answers {status}: no screenshot of it", flush=True)
        return
    console.open("/settings")
    console.screenshot("settings")


def main():
    options = arguments()
    driver = browser(options)
    try:
        console = Console(driver, options)
        signed_out_visitor_sees_only_sign_in(console, options.ticket)
        sign_in(console, options)
        decided = open_from_review_queue(console, options.ticket)
        send_edited_draft(console, options.sentence)
        correct_category(console, options.ticket, options.email, decided)
        refuses_without_csrf(console, options.ticket)
        settings_page(console)
        step("all steps passed")
    except (AssertionError, WebDriverException) as error:
        # A missing element or a page that did not load fails like an assertion, with the page it was on.
        try:
            where = driver.current_url
        except WebDriverException:
            where = "(the browser is gone)"
        print(f"FAILED at {where}: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        driver.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
