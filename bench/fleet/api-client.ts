/**
 * The control plane's API over the Connect protocol with JSON bodies (what any HTTP client can
 * send), through Node's fetch and its keep-alive pool. Each call reports when its response was
 * complete and the revision it committed (the `switchyard-revision` response header).
 */

/** The response of one call. */
export interface ApiResponse<T> {
  readonly body: T;
  /** The revision a mutating call committed; undefined for reads. */
  readonly revision: bigint | undefined;
  /** `performance.now()` once the whole response (headers and body) was received. */
  readonly at: number;
  /** `Date.now()` at the same moment (what workers' log times compare with). */
  readonly wallAt: number;
}

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /** Calls `switchyard.v1.<service>/<method>`; throws on any non-200 answer, naming it. */
  async call<T>(service: string, method: string, request: unknown): Promise<ApiResponse<T>> {
    const res = await fetch(`${this.baseUrl}/switchyard.v1.${service}/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${this.token}` },
      body: JSON.stringify(request),
    });
    const text = await res.text();
    const at = performance.now();
    const wallAt = Date.now();
    if (res.status !== 200) {
      throw new Error(`${service}/${method}: HTTP ${res.status}: ${text.slice(0, 500)}`);
    }
    const header = res.headers.get("switchyard-revision");
    return {
      body: JSON.parse(text) as T,
      revision: header !== null && /^\d{1,19}$/.test(header) ? BigInt(header) : undefined,
      at,
      wallAt,
    };
  }
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight. */
export async function inParallel(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}
