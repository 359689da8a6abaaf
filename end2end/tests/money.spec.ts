import { APIRequestContext, Browser, expect, Page, test } from "@playwright/test";
import { createHmac } from "crypto";
import { hydrated, login, watchConsole } from "./helpers";

// The money path end to end: a storefront channel pushes an order by API, the payment
// provider captures it, the seller ships it in the cabinet, the carrier reports the
// delivery, the hold is released, finance approves the payout batch and marks the
// seller's line paid, and the seller sees every step in the finance statement.

const SECRET = "e2e-payment-secret";

function signed(body: string): Record<string, string> {
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac("sha256", SECRET).update(`${t}.${body}`).digest("hex");
  return { "content-type": "application/json", "bazaar-signature": `t=${t},v1=${v1}` };
}

async function as(browser: Browser, email: string): Promise<{ page: Page; errors: string[] }> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const errors = watchConsole(page);
  await login(page, email);
  await expect(page).not.toHaveURL(/\/login/);
  return { page, errors };
}

async function json(request: APIRequestContext, path: string, key: string) {
  const res = await request.get(path, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status(), path).toBe(200);
  return res.json();
}

test("an order pushed by API is paid, shipped, delivered, released and paid out", async ({ browser, request }) => {
  test.setTimeout(180_000);

  // Admin: a channel key for the storefront.
  const admin = await as(browser, "admin@demo.bazaar");
  await admin.page.goto("/admin/channel-keys");
  await hydrated(admin.page);
  await admin.page.getByTestId("create-channel-key-form").getByLabel("Название").fill("e2e витрина");
  await admin.page.getByTestId("create-channel-key-form").locator('button[type="submit"]').click();
  const channelKey = ((await admin.page.getByTestId("new-channel-key").textContent()) ?? "").trim().match(/bzc_[A-Za-z0-9_-]{43}/)?.[0];
  expect(channelKey).toBeTruthy();

  // Seller: an API key, to find its id and an active SKU.
  const seller = await as(browser, "seller2@demo.bazaar");
  await seller.page.goto("/seller/api-keys");
  await hydrated(seller.page);
  await seller.page.getByTestId("create-key-form").getByLabel("Название").fill("e2e");
  await seller.page.getByTestId("create-key-form").locator('button[type="submit"]').click();
  const sellerKey = ((await seller.page.getByTestId("new-key").textContent()) ?? "").match(/bzr_[A-Za-z0-9_-]{43}/)?.[0] as string;
  expect(sellerKey).toBeTruthy();
  const me = await json(request, "/api/v1/me", sellerKey);
  const skus = await json(request, "/api/v1/skus?status=active&limit=50", sellerKey);
  const sku = skus.items.find((s: { stock: number }) => s.stock >= 2);
  expect(sku, "an active SKU with stock").toBeTruthy();
  const unitPrice = (sku.price.amount_minor / 100).toFixed(2);

  // Finance: this seller's hold period is 0 days (released right after delivery),
  // and a four-eyes threshold above this test's batch.
  const finance = await as(browser, "finance@demo.bazaar");
  await finance.page.goto(`/finance/sellers?id=${me.seller_id}`);
  await hydrated(finance.page);
  const settingsForm = finance.page.getByTestId("seller-settings-form");
  await settingsForm.locator('input[name="hold_days_override"]').fill("0");
  await settingsForm.locator('button[type="submit"]').click();
  await expect(settingsForm.locator(".alert-success")).toBeVisible();
  await finance.page.goto("/finance/settings");
  await hydrated(finance.page);
  const payoutForm = finance.page.getByTestId("payout-settings-form");
  await payoutForm.locator('input[name="four_eyes_threshold"]').fill("100000000");
  await payoutForm.locator('button[type="submit"]').click();
  await expect(payoutForm.locator(".alert-success")).toBeVisible();

  // The channel pushes the order; the provider captures it.
  const orderBody = JSON.stringify({
    external_order_id: `E2E-${Date.now()}`,
    channel: "web",
    currency: "RUB",
    buyer: { name: "Покупатель E2E" },
    delivery: { method: "fbs", address: { city: "Москва", line1: "ул. Новый Арбат, 1" } },
    lines: [{ seller_id: me.seller_id, seller_sku: sku.seller_sku, quantity: 2, unit_price: unitPrice }],
  });
  const orderRes = await request.post("/api/v1/orders", {
    headers: { authorization: `Bearer ${channelKey}`, "idempotency-key": `e2e-${Date.now()}`, "content-type": "application/json" },
    data: orderBody,
  });
  expect(orderRes.status(), await orderRes.text()).toBe(201);
  const order = await orderRes.json();
  const shipmentId = order.shipments[0].id as string;
  const capture = JSON.stringify({
    event_id: `e2e-cap-${order.id}`,
    type: "captured",
    order_id: order.id,
    amount_minor: order.total_minor,
    currency: "RUB",
    occurred_at: new Date().toISOString(),
  });
  const paid = await request.post("/api/v1/payments/events", { headers: signed(capture), data: capture });
  expect(paid.status(), await paid.text()).toBe(200);

  // The seller confirms and ships in the cabinet.
  await seller.page.goto(`/seller/orders/${shipmentId}`);
  await hydrated(seller.page);
  const status = seller.page.getByTestId("shipment-status");
  await expect(status).toHaveAttribute("data-status", "paid");
  await seller.page.getByTestId("confirm-shipment").click();
  await expect(status).toHaveAttribute("data-status", "confirmed");
  await seller.page.getByTestId("ship-carrier").selectOption("cdek");
  await seller.page.getByTestId("ship-tracking").fill("CDEK 7700 1234");
  await seller.page.getByTestId("ship-shipment").click();
  await expect(status).toHaveAttribute("data-status", "shipped");

  // The carrier's delivery, relayed by the channel.
  const delivered = await request.post(`/api/v1/shipments/${shipmentId}/events`, {
    headers: { authorization: `Bearer ${channelKey}`, "content-type": "application/json" },
    data: JSON.stringify({ event_id: `cdek-${shipmentId}`, carrier: "cdek", tracking_number: "CDEK77001234", kind: "delivered" }),
  });
  expect(delivered.status(), await delivered.text()).toBe(200);

  // The ledger tick releases the hold (0-day period): the money box says so.
  await expect
    .poll(async () => (await json(request, `/api/v1/shipments/${shipmentId}`, sellerKey)).money.hold_status, { timeout: 30_000 })
    .toBe("released");
  await seller.page.reload();
  await hydrated(seller.page);
  await expect(status).toHaveAttribute("data-status", "delivered");

  // Finance: clear the batch waiting from before, propose a fresh one, approve it,
  // export the register and mark this seller's line paid.
  await finance.page.goto("/finance/payouts");
  await hydrated(finance.page);
  const openFirstProposed = async () => {
    await finance.page.goto("/finance/payouts");
    await hydrated(finance.page);
    await finance.page.getByTestId("batches-table").locator("tbody tr a").first().click();
    await hydrated(finance.page);
  };
  await openFirstProposed();
  if ((await finance.page.getByTestId("approve-batch").count()) > 0) {
    await finance.page.getByRole("button", { name: "Отменить пакет" }).click();
    await expect(finance.page.getByTestId("approve-batch")).toHaveCount(0);
  }
  await finance.page.goto("/finance/payouts");
  await hydrated(finance.page);
  await finance.page.getByTestId("propose-batch").locator('button[type="submit"]').click();
  await expect(finance.page.getByTestId("proposed").or(finance.page.locator(".alert-danger"))).toBeVisible();
  await openFirstProposed();
  const line = finance.page.getByTestId("batch-line").filter({ hasText: "Козлова" });
  await expect(line).toHaveCount(1);
  // The statement lines behind the seller's amount, among them this order's release.
  await line.getByTestId("line-statement-link").click();
  const behind = finance.page.getByTestId("line-statement");
  await expect(behind.getByTestId("line-statement-row").first()).toBeVisible();
  await expect(behind).toContainText("Разморозка");
  await finance.page.getByTestId("approve-batch").locator('button[type="submit"]').click();
  await expect(finance.page.getByTestId("register-link")).toBeVisible();
  const download = finance.page.waitForEvent("download");
  await finance.page.getByTestId("register-link").click();
  expect((await download).suggestedFilename()).toMatch(/\.csv$/);
  await finance.page.reload();
  await hydrated(finance.page);
  const action = finance.page.getByTestId("batch-line").filter({ hasText: "Козлова" }).getByTestId("line-action");
  await expect(action).toBeVisible();
  await action.locator('select[name="action"]').selectOption("paid");
  await action.locator('input[name="text"]').fill("ПП-000777");
  await action.locator('button[type="submit"]').click();
  await expect(finance.page.getByTestId("batch-line").filter({ hasText: "Козлова" })).toContainText("ПП-000777");

  // The seller sees the whole story on the finance page.
  await seller.page.goto("/seller/finance");
  await hydrated(seller.page);
  await expect(seller.page.getByTestId("payout-history")).toContainText("ПП-000777");
  const statement = seller.page.getByTestId("statement-table");
  await expect(statement.locator("tbody tr").first()).toBeVisible();
  expect(await statement.locator("tbody tr").count()).toBeGreaterThanOrEqual(3);

  expect(admin.errors).toEqual([]);
  expect(seller.errors).toEqual([]);
  expect(finance.errors).toEqual([]);
});

test("finance picks a seller by name and charges a penalty", async ({ browser }) => {
  const finance = await as(browser, "finance@demo.bazaar");
  await finance.page.goto("/finance/penalties");
  await hydrated(finance.page);
  const form = finance.page.getByTestId("penalty-form");
  await form.locator('input[type="search"]').fill("Козлова");
  const option = form.locator('select[name="seller_id"] option', { hasText: "Козлова" });
  await expect(option).toHaveCount(1);
  const sellerId = await option.getAttribute("value");
  expect(sellerId).toBeTruthy();
  await form.locator('select[name="seller_id"]').selectOption(sellerId!);
  const note = `e2e ${Date.now()}`;
  await form.locator('input[name="amount"]').fill("123,45");
  await form.locator('input[name="note"]').fill(note);
  await form.locator('button[type="submit"]').click();
  const row = finance.page.getByTestId("penalties-table").locator("tr", { hasText: note });
  await expect(row).toBeVisible();
  await expect(row).toContainText("123,45");
  await expect(row.locator(`a[href="/finance/sellers?id=${sellerId}"]`)).toHaveCount(1);
  expect(finance.errors).toEqual([]);
});
