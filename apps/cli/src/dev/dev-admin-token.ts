import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** The file in the data directory that keeps the admin token of `switchyard dev`. */
export const DEV_ADMIN_TOKEN_FILE = "dev-admin-token";

/**
 * The admin token of `switchyard dev` when SWITCHYARD_ADMIN_TOKEN is unset: read from
 * `<dataDir>/dev-admin-token`, or generated once (32 random bytes, base64url) and written
 * there with mode 0600, so the token an operator exported stays valid across restarts.
 */
export async function loadDevAdminToken(dataDir: string): Promise<{ token: string; path: string }> {
  const path = join(dataDir, DEV_ADMIN_TOKEN_FILE);
  const existing = await readToken(path);
  if (existing) return { token: existing, path };
  await mkdir(dataDir, { recursive: true });
  const token = `sydev_${randomBytes(32).toString("base64url")}`;
  // "wx": of two processes racing to create it, the second reads the first one's token.
  await writeFile(path, `${token}\n`, { mode: 0o600, flag: "wx" }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  });
  return { token: (await readToken(path)) ?? token, path };
}

async function readToken(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, "utf8")).trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
