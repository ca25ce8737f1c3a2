/**
 * A V8 CPU profile (`node --cpu-prof`) summarised as text: the frames with the most self time,
 * and the inclusive time of the functions a cold start is made of (decode, compile, prepare,
 * the disk snapshot's encoding), each as milliseconds of the profile.
 */
import { readFile } from "node:fs/promises";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives, shortened: the package and file, or Node's module. */
function place(url: string): string {
  if (url === "") return "";
  const text = url.replace(/^file:\/\//, "");
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(
    text,
  );
  if (pkg) return `${pkg[1]}/${pkg[2]!.split("/").pop()}`;
  const repo = /\/(apps|packages)\/([^/]+)\/(?:dist|src)\/(.*)$/.exec(text);
  if (repo) return `${repo[2]}/${repo[3]}`;
  return text.replace(/^node:/, "node:");
}

const frameName = (node: ProfileNode) => {
  const where = place(node.callFrame.url);
  return `${node.callFrame.functionName || "(anonymous)"}${where ? ` ${where}` : ""}`;
};

/** Functions whose inclusive time is reported, by name as it appears in the profile. */
export const PHASES: readonly { label: string; match: (name: string) => boolean }[] = [
  { label: "protobuf decode (fromBinary)", match: (n) => n.startsWith("fromBinary @bufbuild/") },
  {
    label: "read, check (SHA-256) and decode the disk snapshot (readSnapshotFile)",
    match: (n) => n.startsWith("readSnapshotFile "),
  },
  {
    label: "load the snapshot from Redis (#loadSnapshot)",
    match: (n) => n.startsWith("#loadSnapshot "),
  },
  { label: "compile (compileConfig)", match: (n) => n.startsWith("compileConfig ") },
  { label: "  of which prepare rules (prepareRule)", match: (n) => n.startsWith("prepareRule ") },
  { label: "apply deltas (applyDelta)", match: (n) => n.startsWith("applyDelta ") },
  {
    label: "encode the disk snapshot (encodeSnapshotFile)",
    match: (n) => n.startsWith("encodeSnapshotFile "),
  },
  { label: "garbage collector", match: (n) => n === "(garbage collector)" },
  { label: "idle", match: (n) => n === "(idle)" },
];

/** The profile at `path` as text lines: duration, phases (inclusive), top self-time frames. */
export async function summariseCpuProfile(path: string, top = 12): Promise<string[]> {
  const profile = JSON.parse(await readFile(path, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    let id: number | undefined = profile.samples[i]!;
    const leaf = frameName(byId.get(id)!);
    self.set(leaf, (self.get(leaf) ?? 0) + ms);
    const seen = new Set<string>();
    for (; id !== undefined; id = parent.get(id)) {
      const name = frameName(byId.get(id)!);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
    }
  }
  const total = (profile.endTime - profile.startTime) / 1000;
  const lines = [`profile ${path}: ${total.toFixed(0)} ms of process life`];
  for (const phase of PHASES) {
    let ms = 0;
    for (const [name, value] of inclusive) if (phase.match(name)) ms = Math.max(ms, value);
    lines.push(`  ${phase.label}: ${ms.toFixed(0)} ms`);
  }
  lines.push(`  top ${top} frames by self time:`);
  const ranked = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [name, ms] of ranked) lines.push(`    ${ms.toFixed(0).padStart(6)} ms  ${name}`);
  return lines;
}
