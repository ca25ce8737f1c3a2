/** Who a request is, once a credential was verified (DESIGN.md §4, Auth). */
export interface Identity {
  /** The JWT's `sub`, or the service token's subject name. */
  readonly subject: string;
  /** The verified JWT's claims; empty for a service token. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** How the credential was verified. */
  readonly via: "jwt" | "service-token";
}
