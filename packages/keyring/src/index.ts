/**
 * @switchyard/keyring: the SWITCHYARD_ENCRYPTION_KEYS keyring (AES-256-GCM). The control plane
 * seals secret header values with it; every worker opens them with the same keys, without
 * depending on the control plane.
 */

export { generateKeySpec, type Keyring, parseKeyring } from "./keyring.js";
