/**
 * Host names that reach a blocked address whatever DNS says, so a rule naming them is
 * refused when it is written. Names are compared normalised (see `normaliseHost`).
 */

/**
 * `localhost` and every name below it resolve to loopback (RFC 6761 §6.3; resolvers
 * such as systemd-resolved and every browser answer them locally without asking DNS).
 */
export function isLocalhostName(name: string): boolean {
  return name === "localhost" || name.endsWith(".localhost");
}

/**
 * Cloud instance metadata services by name. They answer with the machine's credentials,
 * the classic SSRF prize; each resolves to a link-local address that is blocked anyway,
 * but refusing the name explains the mistake when the rule is written.
 */
export const METADATA_HOST_NAMES: ReadonlySet<string> = new Set([
  // Google Cloud: the documented name, and the short name the VM's search path resolves.
  "metadata.google.internal",
  "metadata",
  // AWS EC2: `instance-data` resolves to 169.254.169.254 on Amazon Linux and in the
  // default VPC DNS, with the fully qualified form in us-east-1's ec2.internal zone.
  "instance-data",
  "instance-data.ec2.internal",
]);

export function isMetadataHostName(name: string): boolean {
  return METADATA_HOST_NAMES.has(name);
}
