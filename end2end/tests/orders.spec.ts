import { expect, test } from "@playwright/test";
import { hydrated, login, watchConsole } from "./helpers";

// A seller finds a paid order of the demo under its status tab, confirms it, is told
// clearly what is wrong with a bad tracking number, ships it, and an administrator
// confirms the delivery; the seller's money box then shows the hold.
test("seller confirms and ships a paid order; staff confirm the delivery", async ({ browser }) => {
  const sellerCtx = await browser.newContext();
  const page = await sellerCtx.newPage();
  const errors = watchConsole(page);
  await login(page, "seller@demo.bazaar");
  await expect(page).toHaveURL(/\/seller$/);

  await page.goto("/seller/orders");
  await hydrated(page);
  await page.getByTestId("tab-paid").click();
  const row = page.getByTestId("shipment-row").first();
  await expect(row.getByTestId("shipment-status")).toHaveAttribute("data-status", "paid");
  const id = (await row.getAttribute("data-id")) as string;
  expect(id).toBeTruthy();

  await page.goto(`/seller/orders/${id}`);
  await hydrated(page);
  const status = page.getByTestId("shipment-status");
  await expect(status).toHaveAttribute("data-status", "paid");
  await expect(page.getByTestId("money-captured")).toBeVisible();
  await expect(page.getByTestId("shipment-line").first()).toBeVisible();
  await expect(page.getByTestId("cancel-penalty-warning")).toBeVisible();

  await page.getByTestId("confirm-shipment").click();
  await expect(status).toHaveAttribute("data-status", "confirmed");

  // A tracking number the rules refuse: the field says why, nothing changes.
  await page.getByTestId("ship-tracking").fill("x!");
  await page.getByTestId("ship-shipment").click();
  await expect(page.getByTestId("ship-form").locator(".field-error")).toBeVisible();
  await expect(status).toHaveAttribute("data-status", "confirmed");

  await page.getByTestId("ship-carrier").selectOption("russian_post");
  await page.getByTestId("ship-tracking").fill("RA 1234 5678 9RU");
  await page.getByTestId("ship-shipment").click();
  await expect(status).toHaveAttribute("data-status", "shipped");
  await expect(page.getByTestId("shipment-tracking")).toContainText("RA123456789RU");
  await expect(page.getByTestId("shipment-event").last()).toHaveAttribute("data-kind", "shipped");
  // The refused tracking number is a 422 the browser logs; nothing else may fail.
  expect(errors.filter((e) => !e.includes("422"))).toEqual([]);

  // Staff confirm the delivery the carrier did not report.
  const adminCtx = await browser.newContext();
  const admin = await adminCtx.newPage();
  const adminErrors = watchConsole(admin);
  await login(admin, "admin@demo.bazaar");
  await expect(admin).toHaveURL(/\/admin$/);
  await admin.goto(`/admin/orders/${id}`);
  await hydrated(admin);
  await admin.getByTestId("confirm-delivery").click();
  await expect(admin.getByTestId("shipment-status")).toHaveAttribute("data-status", "delivered");
  expect(adminErrors).toEqual([]);

  await page.reload();
  await hydrated(page);
  await expect(status).toHaveAttribute("data-status", "delivered");
  await expect(page.getByTestId("money-hold-status")).toHaveAttribute("data-status", "held");
  await sellerCtx.close();
  await adminCtx.close();
});

// Admins create a channel key (shown once) and revoke it.
test("admin creates and revokes a channel key", async ({ page }) => {
  const errors = watchConsole(page);
  await login(page, "admin@demo.bazaar");
  await expect(page).toHaveURL(/\/admin$/);
  await page.goto("/admin/channel-keys");
  await hydrated(page);
  const name = `E2E shop ${Date.now().toString(36)}`;
  await page.getByLabel(/Название|Name/).fill(name);
  await page.getByTestId("create-channel-key").click();
  await expect(page.getByTestId("new-channel-key")).toContainText("bzc_");
  const row = page.getByTestId("channel-key-row").filter({ hasText: name });
  await expect(row.getByTestId("channel-key-status")).toHaveAttribute("class", /badge-success/);
  await row.getByTestId("revoke-channel-key").click();
  await expect(row.getByTestId("channel-key-status")).toHaveAttribute("class", /badge-neutral/);
  expect(errors).toEqual([]);
});
