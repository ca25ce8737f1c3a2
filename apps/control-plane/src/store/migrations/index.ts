import { migration as init } from "./0001-init.js";
import { migration as configTombstones } from "./0002-config-tombstones.js";
import type { Migration } from "./migration.js";

export type { Migration } from "./migration.js";

/** Every migration, oldest first. Append new ones; never edit an applied one. */
export const migrations: readonly Migration[] = [init, configTombstones];
