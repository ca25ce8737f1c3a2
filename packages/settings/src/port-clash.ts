/** A listen-port setting and the port it resolved to (its default when unset). */
export interface PortSetting {
  readonly name: string;
  readonly port: number;
}

/**
 * The problem of two listeners on one port, which cannot both start: it names `second`
 * (`SWITCHYARD_ADMIN_PORT: must differ from SWITCHYARD_API_PORT (both 9000)`). Port 0 never
 * clashes: each listener gets its own ephemeral port.
 */
export function portClash(first: PortSetting, second: PortSetting): string | undefined {
  if (first.port === 0 || first.port !== second.port) return undefined;
  return `${second.name}: must differ from ${first.name} (both ${first.port})`;
}
