#!/usr/bin/python3
"""Drive the operations console in headless Chromium (Debian's chromium,
chromium-driver and python3-selenium), for tests/integration/test_ops_console.sh.

1. Open the Now page signed in (HTTP Basic, sent by the DevTools protocol on
   every request, the live feed's EventSource included), mark the page's
   window, write the --ready file, and wait (bounded) for an escalation row
   to appear in the live feed: the mark must still be there (no reload).
2. Open the management-information page and compare its counts with
   `mashctl stats --json`, taken before and after the page; the broker's
   accelerated clock keeps escalating, so retry (bounded) until stats
   before, page and stats after agree.
Prints one line per check passed; exits non-zero on the first failure.
"""
import argparse
import base64
import json
import os
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def wait_until(what, secs, fn):
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.1)
    fail("timed out after %ds waiting for %s" % (secs, what))


def text(driver, elem_id):
    found = driver.find_elements(By.ID, elem_id)
    return found[0].text.strip() if found else None


def stats(mashctl, data):
    out = subprocess.run([mashctl, "--data", data, "stats", "--json"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def page_counts(driver):
    levels = {}
    for elem in driver.find_elements(By.CSS_SELECTOR, "[id^='mi-level-']"):
        levels[elem.get_attribute("id")[len("mi-level-"):]] = int(elem.text)
    return {
        "contacts": int(text(driver, "mi-contacts")),
        "open_enquiries": int(text(driver, "mi-open-enquiries")),
        "overdue_requests": int(text(driver, "mi-overdue-requests")),
        "escalations_by_level": levels,
        "contacts_by_source": {
            e.get_attribute("id")[len("mi-source-"):]: int(e.text)
            for e in driver.find_elements(By.CSS_SELECTOR, "[id^='mi-source-']")
        },
    }


def stats_counts(s):
    return {
        "contacts": s["contacts"],
        "open_enquiries": s["open_enquiries"],
        "overdue_requests": s["overdue_requests"],
        "escalations_by_level": {k: v for k, v in s["escalations_by_level"].items()},
        "contacts_by_source": s["contacts_by_source"],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--ready", required=True, help="file written once the page is open")
    ap.add_argument("--mashctl", required=True)
    ap.add_argument("--data", required=True, help="mashd's data folder, for mashctl stats")
    ap.add_argument("--screenshots", help="folder for PNG screenshots of the pages")
    a = ap.parse_args()

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1200,1400", "--no-first-run", "--disable-extensions"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    try:
        token = base64.b64encode(("%s:%s" % (a.user, a.password)).encode()).decode()
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setExtraHTTPHeaders",
                               {"headers": {"Authorization": "Basic " + token}})

        # 1. The live feed.
        driver.get(a.url + "/")
        if "signed in as " + a.user not in driver.page_source:
            fail("the Now page did not load signed in: " + driver.title)
        before = int(text(driver, "feed-count"))
        driver.execute_script("window.__not_reloaded = 'yes';")
        with open(a.ready, "w") as f:
            f.write("ready\n")
        # Steps already taken (the screening ladder runs too) are on the page
        # as drawn; wait for housing's reminder to arrive live.
        def housing_reminder():
            for row in driver.find_elements(By.CSS_SELECTOR, "#feed-body tr"):
                cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
                if "housing" in cells and "reminder" in cells:
                    return cells
            return None
        if housing_reminder():
            fail("housing's reminder was on the page before the contact was screened")
        cells = wait_until("housing's reminder in the live feed", 60, housing_reminder)
        if driver.execute_script("return window.__not_reloaded;") != "yes":
            fail("the page was reloaded")
        if int(text(driver, "feed-count")) <= before:
            fail("the feed count did not grow")
        print("escalation appeared without a reload: %s" % " | ".join(cells))
        if a.screenshots:
            os.makedirs(a.screenshots, exist_ok=True)
            # Let the next steps arrive, so the picture shows a ladder.
            wait_until("a second step", 30,
                       lambda: len(driver.find_elements(By.CSS_SELECTOR, "#feed-body tr")) >= 2)
            time.sleep(1)  # a picture, not a check: let mash-ops hear the new figures
            driver.get(a.url + "/")
            driver.save_screenshot(os.path.join(a.screenshots, "now.png"))

        # 2. The counts against mashctl stats.
        for attempt in range(60):
            s1 = stats_counts(stats(a.mashctl, a.data))
            driver.get(a.url + "/mi")
            page = page_counts(driver)
            s2 = stats_counts(stats(a.mashctl, a.data))
            if s1 == s2 == page:
                print("counts match mashctl stats: %s" % json.dumps(page, sort_keys=True))
                break
            time.sleep(0.25)
        else:
            fail("page %r never matched mashctl stats %r / %r" % (page, s1, s2))
        if page["contacts"] < 1 or not page["escalations_by_level"]:
            fail("the compared counts are empty: %r" % page)
        if a.screenshots:
            driver.save_screenshot(os.path.join(a.screenshots, "mi.png"))
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
