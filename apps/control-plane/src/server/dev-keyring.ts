import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateKeySpec } from "../secrets/keyring.js";

/** The file in the data directory that holds the keyring of `switchyard dev`. */
export const DEV_KEYRING_FILE = "dev-encryption-keys";

/**
 * The keyring spec of `switchyard dev` when SWITCHYARD_ENCRYPTION_KEYS is unset: read from
 * `<dataDir>/dev-encryption-keys`, or generated once and written there (mode 0600), so the
 * secrets of a dev data directory stay readable across restarts. Never used outside dev:
 * there, a missing key is a configuration error.
 */
export async function loadDevKeySpec(dataDir: string): Promise<{ spec: string; path: string }> {
  const path = join(dataDir, DEV_KEYRING_FILE);
  const existing = await readFile(path, "utf8").then(
    (text) => text.trim(),
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    },
  );
  if (existing) return { spec: existing, path };
  await mkdir(dataDir, { recursive: true });
  const spec = generateKeySpec("dev");
  // "wx": of two processes racing to create it, the second fails instead of overwriting.
  await writeFile(path, `${spec}\n`, { mode: 0o600, flag: "wx" }).catch(async (error) => {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  });
  return { spec: (await readFile(path, "utf8")).trim(), path };
}
