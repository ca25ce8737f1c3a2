/**
 * The host part of a `Host` header as domains are stored: lower-case, without the
 * port and without the trailing dot of a fully qualified name (`APP.Example.COM.:8443`
 * → `app.example.com`). An IPv6 literal keeps its brackets (`[::1]:8080` → `[::1]`).
 * Returns the input itself, allocating nothing, when it is already normal.
 */
export function normaliseHost(host: string): string {
  let end = host.length;
  if (host.charCodeAt(0) === 91 /* "[" */) {
    const close = host.indexOf("]");
    if (close !== -1) end = close + 1;
  } else {
    const colon = host.indexOf(":");
    if (colon !== -1) end = colon;
  }
  // RFC 1034 §3.1: "example.com." names the same host as "example.com".
  if (end > 0 && host.charCodeAt(end - 1) === 46 /* "." */) end--;
  let upper = false;
  for (let i = 0; i < end; i++) {
    const code = host.charCodeAt(i);
    if (code >= 65 && code <= 90) {
      upper = true;
      break;
    }
  }
  const cut = end === host.length ? host : host.slice(0, end);
  // RFC 4343: DNS names compare case-insensitively.
  return upper ? cut.toLowerCase() : cut;
}
