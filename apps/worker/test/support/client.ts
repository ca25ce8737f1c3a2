import type { Dispatcher } from "undici";
import { request } from "undici";
import { HOST } from "./harness.js";

/** A JSON body as tests read it: the testkit echo, or a problem (RFC 9457). */
export interface Json {
  method: string;
  url: string;
  headers: Record<string, string | undefined>;
  rawHeaders: string[];
  body: string;
  type: string;
  title: string;
  status: number;
  detail: string;
  request_id: string;
}

export interface Sent {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: Json;
}

export interface SendOptions {
  method?: Dispatcher.HttpMethod;
  /** Default: Host = {@link HOST}. */
  headers?: Record<string, string | string[]> | string[];
  body?: string | Buffer | NodeJS.ReadableStream | null;
}

/** Sends one request to the worker (undici lets a test set Host, which fetch forbids). */
export async function send(
  baseUrl: string,
  path: string,
  options: SendOptions = {},
): Promise<Sent> {
  const headers = Array.isArray(options.headers)
    ? options.headers
    : { host: HOST, ...options.headers };
  const res = await request(new URL(path, baseUrl), {
    method: options.method ?? "GET",
    headers,
    body: options.body as Dispatcher.DispatchOptions["body"],
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json: json as Json };
}
