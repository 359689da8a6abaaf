import { expect, test } from "@playwright/test";
import { readFileSync } from "fs";
import { hydrated, login, watchConsole } from "./helpers";

// A seller imports a CSV with one bad row, watches the import finish, downloads the
// error report, then changes a SKU's price in the cabinet and finds it in the list.
test("CSV import with one bad row, error report, then a price change", async ({ page }) => {
  const errors = watchConsole(page);
  const stamp = Date.now().toString(36).toUpperCase();
  const good = `E2E-${stamp}-1`;
  const other = `E2E-${stamp}-2`;
  const bad = `E2E-${stamp}-BAD`;
  const csv =
    [
      "sku;title;category;price;stock;attr:color",
      `${good};Смарт-часы E2E первые;smartwatches;4990;5;black`,
      `${bad};Смарт-часы E2E с ошибкой;smartwatches;0;5;black`,
      `${other};Смарт-часы E2E вторые;smartwatches;5990;3;white`,
    ].join("\n") + "\n";

  await login(page, "seller@demo.bazaar");
  await expect(page).toHaveURL(/\/seller$/);

  // The imports page checks the file in the browser before it is sent.
  await page.goto("/seller/imports");
  await hydrated(page);
  await page.getByTestId("import-file").setInputFiles({
    name: "e2e-catalog.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(csv, "utf-8"),
  });
  await expect(page.getByTestId("check-report")).toBeVisible();
  await expect(page.getByTestId("check-encoding")).toHaveText("UTF-8");
  await expect(page.getByTestId("mapping")).toBeVisible();
  await expect(page.getByTestId("check-errors")).toContainText(bad);

  // Upload, then the progress bar runs to the end with the final counts.
  await page.getByTestId("mode-apply_valid").check();
  await page.getByTestId("start-import").click();
  const summary = page.getByTestId("import-summary");
  await expect(page.getByTestId("import-progress")).toBeVisible();
  await expect(summary).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  await expect(page.getByTestId("import-progress")).toHaveAttribute("aria-valuenow", "100");
  await expect(page.getByTestId("count-total")).toHaveText("3");
  await expect(page.getByTestId("count-created")).toHaveText("2");
  await expect(page.getByTestId("count-failed")).toHaveText("1");
  await expect(page.getByTestId("import-errors")).toContainText(bad);
  await expect(page.getByTestId("imports-table")).toContainText("e2e-catalog.csv");

  // The error report has the bad row (its number and the problem) and only it.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("error-report").click(),
  ]);
  const path = await download.path();
  expect(path).toBeTruthy();
  const report = readFileSync(path as string, "utf-8");
  const lines = report.split(/\r?\n/).filter((l) => l.trim() !== "");
  const badLine = lines.find((l) => l.includes(bad));
  expect(badLine, report).toBeTruthy();
  expect(badLine as string).toMatch(/^\uFEFF?"?3"?[;,\t]/);
  expect(badLine as string).toMatch(/больше 0|greater than 0/);
  expect(report).not.toContain(good);
  expect(report).not.toContain(other);

  // The SKU's price changes at once from its page...
  await page.goto(`/seller/catalog/${good}`);
  await hydrated(page);
  const commercial = page.getByTestId("commercial-form");
  await commercial.getByTestId("field-price").fill("3499.50");
  await page.getByTestId("save-commercial").click();
  await expect(page.getByTestId("commercial-saved")).toBeVisible();
  await expect(page.getByTestId("live-price")).toContainText(/3\s?499,50/);

  // ...and the list shows the new price.
  await page.goto("/seller/catalog");
  await hydrated(page);
  const search = page.getByTestId("sku-search");
  await search.fill(good);
  await search.press("Enter");
  const row = page.locator(`[data-testid="skus-table"] tr[data-sku="${good}"]`);
  await expect(row).toBeVisible();
  await expect(row.getByTestId("sku-price")).toContainText(/3\s?499,50/);
  await expect(page.locator(`[data-testid="skus-table"] tr[data-sku="${other}"]`)).toHaveCount(0);

  expect(errors).toEqual([]);
});
