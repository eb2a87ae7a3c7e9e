// The browser end-to-end test's driver (run by tests/browser.rs): headless Chromium, driven by
// playwright-core, uses the demo page the way a person would. Every step waits on a DOM state,
// never on a delay.
//
//   node e2e.mjs <demo origin> [screenshot.png]      (CHROMIUM: the browser, default /usr/bin/chromium)
import { chromium } from "playwright-core";

const [demo, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  // As root in CI the sandbox cannot start; the machine has no network but loopback, so nothing
  // else may be fetched.
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const TIMEOUT = 30_000;

function step(text) {
  console.log(`browser: ${text}`);
}

/** Waits until #status holds `text` (a string it includes, or a RegExp it matches). */
async function status(page, text) {
  await page.waitForFunction(
    ([source, flags, plain]) => {
      const shown = document.querySelector("#status").textContent;
      return source === null ? shown.includes(plain) : new RegExp(source, flags).test(shown);
    },
    text instanceof RegExp ? [text.source, text.flags, null] : [null, "", text],
    { timeout: TIMEOUT },
  );
  return page.locator("#status").textContent();
}

async function titles(page) {
  return page.locator("#tasks li span").allTextContents();
}

async function signUp(context, name, email) {
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  await page.goto(demo);
  const form = page.locator("#sign-up");
  await form.locator('[name="name"]').fill(name);
  await form.locator('[name="email"]').fill(email);
  await form.locator('[name="password"]').fill("correct horse battery");
  await form.locator("button").click();
  await page.locator("#signed-in").waitFor({ state: "visible" });
  await status(page, "0 tasks");
  const id = await page.evaluate(() => JSON.parse(atob(localStorage.getItem("token").split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).sub);
  step(`${name} signed up (${id}) and sees 0 tasks`);
  return { page, id };
}

async function addTask(page, title) {
  await page.locator('#new-task [name="title"]').fill(title);
  await page.locator("#new-task button").click();
  await status(page, "Added");
}

function same(actual, expected, what) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  }
}

try {
  // Two users, each in a browser context of their own (cookies and storage apart).
  const alice = await signUp(await browser.newContext(), "Alice", `alice-${Date.now()}@example.com`);
  const bob = await signUp(await browser.newContext(), "Bob", `bob-${Date.now()}@example.com`);

  await addTask(alice.page, "Buy milk");
  await addTask(alice.page, "Write the tests");
  await addTask(bob.page, "Bob's own task");
  same(await titles(alice.page), ["Buy milk", "Write the tests"], "alice's tasks");
  same(await titles(bob.page), ["Bob's own task"], "bob's tasks");
  step("each user sees only their own tasks");

  // A reload lists what the API kept.
  await alice.page.reload();
  await status(alice.page, "2 tasks");
  same(await titles(alice.page), ["Buy milk", "Write the tests"], "alice's tasks after a reload");
  step("alice's tasks are listed again after a reload");

  await alice.page.locator("#tasks li", { hasText: "Buy milk" }).getByRole("button", { name: "Done" }).click();
  await status(alice.page, "Completed");
  same(await alice.page.locator("#tasks li.done span").allTextContents(), ["Buy milk"], "completed");
  if (screenshot) await alice.page.screenshot({ path: screenshot, fullPage: true });

  // Another user's path from the page: the API's 403, with its detail.
  await alice.page.locator('#other [name="user"]').fill(bob.id);
  await alice.page.locator("#other button").click();
  const forbidden = await status(alice.page, /^403: /);
  // The list route admits the owner or an admin (or_role): a missing role is what it says.
  same(forbidden, "403: Not allowed to access another user's resources", "another user's tasks");
  step(`alice asking for bob's tasks: "${forbidden}"`);

  await alice.page.locator("#tasks li", { hasText: "Write the tests" }).getByRole("button", { name: "Delete" }).click();
  await status(alice.page, "Deleted");
  same(await titles(alice.page), ["Buy milk"], "alice's tasks after a delete");

  // A tampered token: the API's 401 and its detail on the page.
  await alice.page.evaluate(() => {
    const [header, payload, signature] = localStorage.getItem("token").split(".");
    const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/")));
    claims.sub = "someone-else";
    const forged = btoa(JSON.stringify(claims)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    localStorage.setItem("token", `${header}.${forged}.${signature}`);
  });
  await alice.page.reload();
  const refused = await status(alice.page, /^401: /);
  same(refused, "401: The token's signature is invalid", "a tampered token");
  step(`a tampered token: "${refused}"`);

  // Bob's view is untouched by all of this.
  await bob.page.reload();
  await status(bob.page, "1 task");
  same(await titles(bob.page), ["Bob's own task"], "bob's tasks at the end");
  console.log("browser: all checks passed");
} finally {
  await browser.close();
}
