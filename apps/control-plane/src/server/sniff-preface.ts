import type { Socket } from "node:net";

/** The HTTP/2 client connection preface (RFC 9113 §3.4). */
const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/**
 * Reads the first bytes of `socket` until they either are the HTTP/2 preface or cannot become
 * it, puts them back (`unshift`), pauses the socket and reports `"h2"` or `"http/1.1"`.
 * A client speaking h2c with prior knowledge (RFC 9113 §3.3) sends the preface first; any
 * HTTP/1.x request line differs from it by its first byte or two, so HTTP/1.1 clients are
 * decided on their first packet. Reports `undefined` when the socket closes first, or when
 * `timeoutMs` passes before the protocol is known: a deadline counted from the call, not an
 * idle timer a byte at a time could keep resetting (the socket is then destroyed).
 */
export function sniffPreface(
  socket: Socket,
  timeoutMs: number,
  decided: (protocol: "h2" | "http/1.1" | undefined) => void,
): void {
  let buffered: Buffer = Buffer.alloc(0);
  const finish = (protocol: "h2" | "http/1.1" | undefined) => {
    socket.removeListener("data", onData);
    socket.removeListener("close", onClose);
    clearTimeout(deadline);
    decided(protocol);
  };
  const onData = (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    const n = Math.min(buffered.length, PREFACE.length);
    const couldBeH2 = buffered.subarray(0, n).equals(PREFACE.subarray(0, n));
    if (couldBeH2 && buffered.length < PREFACE.length) return;
    socket.pause();
    socket.unshift(buffered);
    finish(couldBeH2 ? "h2" : "http/1.1");
  };
  const onClose = () => finish(undefined);
  const deadline = setTimeout(() => {
    finish(undefined);
    socket.destroy();
  }, timeoutMs);
  socket.on("data", onData);
  socket.once("close", onClose);
}
