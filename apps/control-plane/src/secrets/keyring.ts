// The keyring lives in @switchyard/keyring so workers open secrets without the control plane.
export { generateKeySpec, type Keyring, parseKeyring } from "@switchyard/keyring";
