import { expect, Page, test } from "@playwright/test";
import { deflateSync } from "zlib";
import { hydrated, login, watchConsole } from "./helpers";

/** A real PNG (600×600, gradients and noise) built in memory. */
function productPng(size = 600): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((size * 3 + 1) * size);
  let seed = 12345;
  for (let y = 0; y < size; y++) {
    const row = y * (size * 3 + 1);
    raw[row] = 0;
    for (let x = 0; x < size; x++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const noise = (seed % 17) - 8;
      const inBox = x > 150 && x < 450 && y > 120 && y < 480;
      const base = inBox ? [40 + x / 8, 90, 160] : [230 - y / 20, 232, 236];
      for (let c = 0; c < 3; c++) raw[row + 1 + x * 3 + c] = Math.max(0, Math.min(255, base[c] + noise));
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

async function openOwnItem(mp: Page, code: string) {
  await mp.goto("/moderation/queue");
  await hydrated(mp);
  const row = mp.locator(`.queue-row[data-sku="${code}"]`);
  // The listing enters the queue once the automatic checks have run (a few seconds
  // after saving); until then a claim does not bring it, so claim again.
  await expect(async () => {
    await mp.getByTestId("claim").click();
    await expect(row).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 40_000 });
  await row.locator(".queue-pick").click();
  await expect(mp.getByTestId("item")).toHaveAttribute("data-sku", code);
}

// The whole moderation loop: a new seller lists a T-shirt with an uploaded photo, a
// moderator rejects it with a reason, the seller reads the reason, fixes the title and
// resubmits, the moderator approves, the listing is active.
test("a listing is rejected with a reason, fixed by the seller and approved", async ({ browser }) => {
  const stamp = Date.now().toString(36).toUpperCase();
  const code = `MOD-${stamp}`;
  const sellerCtx = await browser.newContext();
  const sp = await sellerCtx.newPage();
  const sellerErrors = watchConsole(sp);

  // A new organisation: not verified, so nothing is approved without a moderator.
  await sp.goto("/signup");
  await hydrated(sp);
  await sp.getByLabel(/Название организации|Organisation name/).fill("ООО «Модерация E2E»");
  await sp.locator("#f-inn").fill("7701234560");
  await sp.getByLabel("Email").fill(`mod-${stamp.toLowerCase()}@seller.test`);
  await sp.locator('input[name="password"]').fill("a good long password");
  await sp.locator('[data-testid="signup-form"] button[type="submit"]').click();
  await expect(sp).toHaveURL(/\/seller$/);

  // The SKU, with a photo uploaded in the form.
  await sp.goto("/seller/catalog/new");
  await hydrated(sp);
  await sp.getByTestId("field-sku").fill(code);
  await sp.getByTestId("field-title").fill("Футболка СУПЕР АКЦИЯ купи сейчас");
  await sp.getByTestId("field-category").selectOption("tshirts");
  await sp.getByTestId("field-attr:gender").selectOption("unisex");
  await sp.getByTestId("field-attr:size").selectOption("m");
  await sp.getByTestId("field-attr:color").selectOption("black");
  await sp.getByTestId("field-price").fill("1290");
  await sp.getByTestId("field-stock").fill("7");
  await sp.getByTestId("image-files").setInputFiles({
    name: "tee.png",
    mimeType: "image/png",
    buffer: productPng(),
  });
  await expect(sp.getByTestId("image-item")).toHaveCount(1, { timeout: 20_000 });
  await expect(sp.getByTestId("field-images")).toHaveValue(/\/media\//);
  await sp.getByTestId("save-content").click();
  await expect(sp).toHaveURL(new RegExp(`/seller/catalog/${code}$`));
  await expect(sp.getByTestId("moderation")).toContainText("На модерации");

  // The moderator claims a batch, finds the listing and rejects it with a reason.
  const modCtx = await browser.newContext();
  const mp = await modCtx.newPage();
  const modErrors = watchConsole(mp);
  await login(mp, "moderator@demo.bazaar");
  await expect(mp).toHaveURL(/\/moderation$/);
  await openOwnItem(mp, code);
  await expect(mp.getByTestId("item-title")).toHaveText("Футболка СУПЕР АКЦИЯ купи сейчас");
  await expect(mp.getByTestId("item-images").locator("img")).toHaveCount(1);
  // Another item can be opened, and back.
  const other = mp.locator(`.queue-row:not([data-sku="${code}"])`).first();
  const otherSku = await other.getAttribute("data-sku");
  await other.locator(".queue-pick").click();
  await expect(mp.getByTestId("item")).toHaveAttribute("data-sku", otherSku as string);
  await mp.locator(`.queue-row[data-sku="${code}"] .queue-pick`).click();
  await expect(mp.getByTestId("item")).toHaveAttribute("data-sku", code);
  await mp.locator('input[name="reason"][value="misleading_title"]').check();
  await mp.locator('textarea[name="comment"]').fill("Уберите рекламу из названия");
  await mp.getByTestId("reject").click();
  await expect(mp.locator(`.queue-row[data-sku="${code}"]`)).toHaveCount(0);

  // The seller sees why, fixes the title and sends it again.
  await sp.goto(`/seller/catalog/${code}`);
  await hydrated(sp);
  const reasons = sp.getByTestId("moderation-reasons");
  await expect(reasons).toContainText("Название вводит в заблуждение");
  await expect(sp.getByTestId("moderation-comment")).toHaveText("Уберите рекламу из названия");
  await sp.getByTestId("field-title").fill("Футболка хлопковая базовая, чёрная");
  await sp.getByTestId("save-content").click();
  await expect(sp.getByTestId("content-saved")).toBeVisible();

  // The resubmission comes back to the moderator, who approves it with the keyboard.
  await openOwnItem(mp, code);
  await expect(mp.getByTestId("item-title")).toHaveText("Футболка хлопковая базовая, чёрная");
  await expect(mp.getByTestId("item-diff")).toContainText("Футболка СУПЕР АКЦИЯ купи сейчас");
  await mp.keyboard.press("a");
  await expect(mp.locator(`.queue-row[data-sku="${code}"]`)).toHaveCount(0);

  // The listing is on sale.
  await sp.goto(`/seller/catalog/${code}`);
  await hydrated(sp);
  await expect(sp.getByTestId("moderation")).toContainText("Активен");

  // The decisions show on the dashboard.
  await mp.goto("/moderation");
  await hydrated(mp);
  await expect(mp.getByTestId("decisions-table")).toContainText(code);
  expect(sellerErrors).toEqual([]);
  expect(modErrors).toEqual([]);
  await sellerCtx.close();
  await modCtx.close();
});
