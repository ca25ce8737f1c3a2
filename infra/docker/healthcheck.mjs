// The image's HEALTHCHECK: GET /healthz on the admin port, exit 0 on 200, 1 otherwise.
// Node itself makes the request: the slim base image has neither curl nor wget.
//
// One image runs `switchyard worker` (admin port 9090) or `switchyard control-plane` (9091):
// with SWITCHYARD_ADMIN_PORT set, that port is asked; without it, the worker's default and
// then the control plane's. The path comes from the first argument (default /healthz), so
// compose can ask /readyz with the same script.
const path = process.argv[2] ?? "/healthz";
const configured = process.env.SWITCHYARD_ADMIN_PORT;
const ports = configured ? [Number(configured)] : [9090, 9091];

async function ok(port) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      signal: AbortSignal.timeout(2000),
    });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

for (const port of ports) {
  if (await ok(port)) process.exit(0);
}
process.exit(1);
