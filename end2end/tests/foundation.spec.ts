import { expect, test } from "@playwright/test";
import { hydrated, login, watchConsole } from "./helpers";

test.describe("accounts and areas", () => {
  for (const [email, area, marker] of [
    ["seller@demo.bazaar", "/seller", "seller-home"],
    ["moderator@demo.bazaar", "/moderation", "moderation-home"],
    ["finance@demo.bazaar", "/finance", "finance-home"],
    ["admin@demo.bazaar", "/admin", "admin-home"],
  ] as const) {
    test(`${email} lands in ${area}`, async ({ page }) => {
      const errors = watchConsole(page);
      await login(page, email);
      await expect(page).toHaveURL(new RegExp(`${area}$`));
      await expect(page.getByTestId(marker)).toBeVisible();
      await hydrated(page);
      expect(errors).toEqual([]);
    });
  }

  test("a seller opening /finance gets 403", async ({ page }) => {
    await login(page, "seller@demo.bazaar");
    await expect(page).toHaveURL(/\/seller$/);
    const response = await page.goto("/finance");
    expect(response?.status()).toBe(403);
    await expect(page.getByTestId("forbidden")).toBeVisible();
  });

  test("an anonymous visitor is sent to the login page and back", async ({ page }) => {
    await page.goto("/admin/users");
    await expect(page).toHaveURL(/\/login\?next=%2Fadmin%2Fusers|\/login\?next=\/admin\/users/);
    await hydrated(page);
    await page.getByLabel("Email").fill("admin@demo.bazaar");
    await page.locator('input[name="password"]').fill("bazaar-demo");
    await page.locator('[data-testid="login-form"] button[type="submit"]').click();
    await expect(page).toHaveURL(/\/admin\/users$/);
    await expect(page.getByTestId("users-table")).toBeVisible();
  });

  test("a wrong password shows an error and keeps the visitor on the login page", async ({ page }) => {
    await login(page, "seller@demo.bazaar", "not-the-password");
    await expect(page.locator(".alert-error")).toBeVisible();
    await expect(page).toHaveURL(/\/login/);
  });

  test("logout ends the session", async ({ page }) => {
    await login(page, "seller@demo.bazaar");
    await expect(page).toHaveURL(/\/seller$/);
    await hydrated(page);
    await page.getByTestId("logout").click();
    await expect(page).toHaveURL(/\/login/);
    await page.goto("/seller");
    await expect(page).toHaveURL(/\/login/);
  });
});

test("sign-up of a new seller works and lands in the cabinet awaiting verification", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/signup");
  await hydrated(page);
  const email = `new-${Date.now()}@seller.test`;
  await page.getByLabel(/Название организации|Organisation name/).fill("ООО «Проверка»");
  // A wrong check digit is caught in the browser by the same rule the server uses.
  await page.locator("#f-inn").fill("7707083894");
  await expect(page.locator(".field-error")).toContainText(/ИНН|INN/);
  await page.locator("#f-inn").fill("5047000118");
  await page.getByLabel("Email").fill(email);
  await page.locator('input[name="password"]').fill("a good long password");
  await page.locator('[data-testid="signup-form"] button[type="submit"]').click();
  await expect(page).toHaveURL(/\/seller$/);
  await expect(page.getByTestId("pending-banner")).toBeVisible();
  expect(errors).toEqual([]);
});

test("switching language changes the UI text", async ({ page }) => {
  await page.goto("/login");
  await hydrated(page);
  await expect(page.locator("h1")).toHaveText("Вход в Bazaar");
  await page.getByTestId("lang-en").click();
  await expect(page.locator("h1")).toHaveText("Log in to Bazaar");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await hydrated(page);
  await page.getByTestId("lang-ru").click();
  await expect(page.locator("h1")).toHaveText("Вход в Bazaar");
});
