import { defineConfig } from "@playwright/test";

// The server under test: a release build started with a fresh database in a temp
// folder (scripts/test.sh builds it and passes the paths). Playwright waits for
// /readyz before the first test.
const port = process.env.BAZAAR_E2E_PORT ?? "3100";
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    locale: "ru-RU",
  },
  projects: [
    {
      name: "chromium",
      use: {
        browserName: "chromium",
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
          ],
        },
      },
    },
  ],
  webServer: {
    command: process.env.BAZAAR_E2E_COMMAND ?? "./target/release/bazaar serve",
    cwd: "..",
    url: `${baseURL}/readyz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      BAZAAR_ADDR: `127.0.0.1:${port}`,
      BAZAAR_DATA_DIR: process.env.BAZAAR_E2E_DATA_DIR ?? "target/e2e-data",
      DATABASE_URL: process.env.BAZAAR_E2E_DATABASE_URL ?? "sqlite://target/e2e-data/bazaar.db",
      LEPTOS_SITE_ROOT: "target/site",
      LEPTOS_ENV: "PROD",
      BAZAAR_DEMO: "1",
      BAZAAR_FETCH_ALLOW_HOSTS: "127.0.0.1",
      // The payment provider's secret the money test signs events with, and a fast
      // ledger tick so released holds show up within the test.
      BAZAAR_PAYMENT_WEBHOOK_SECRET: "e2e-payment-secret",
      BAZAAR_LEDGER_INTERVAL_SECS: "1",
      RUST_LOG: "info,sqlx=warn",
    },
  },
});
