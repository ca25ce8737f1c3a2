import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import {
  type ConfigDelta,
  ConfigDeltaSchema,
  type ConfigSnapshot,
  ConfigSnapshotSchema,
  type Rule,
  RuleSchema,
} from "@switchyard/api";
import { waitFor } from "@switchyard/testkit";
import {
  closeRedisConnection,
  createRedisConnection,
  RedisConfigSubscriber,
  type RedisConfigSubscriberOptions,
  type RedisConnection,
  type RedisConnectionOptions,
  type SyncEvent,
} from "../src/index.js";

/** A rule as the control plane would publish it, about 250 bytes encoded. */
export function rule(index: number, version = 1): Rule {
  return create(RuleSchema, {
    id: `rul_${index.toString().padStart(8, "0")}`,
    projectId: `prj_${Math.floor(index / 100)}`,
    pathPattern: `/svc${index}/*`,
    targetUrl: `https://svc${index}.internal.example.com/v${version}`,
    stripPrefix: true,
    order: index * 10,
    timeoutMs: 30_000,
    enabled: true,
    description: `service ${index}, version ${version}`,
    allowedMethods: ["GET", "POST"],
  });
}

/** A snapshot of `revision` holding rules 0 … `rules - 1`. */
export function snapshotAt(revision: bigint, rules = 0): ConfigSnapshot {
  return create(ConfigSnapshotSchema, {
    revision,
    rules: Array.from({ length: rules }, (_, index) => rule(index)),
  });
}

/** A delta `after → revision` writing `rules` and deleting `deletedIds`. */
export function deltaOf(
  after: bigint,
  revision: bigint,
  rules: Rule[] = [],
  deletedIds: string[] = [],
): ConfigDelta {
  return create(ConfigDeltaSchema, { afterRevision: after, revision, rules, deletedIds });
}

/** A key prefix no other test uses. */
export function uniquePrefix(): string {
  return `test-${randomUUID().slice(0, 8)}`;
}

/** Connections and subscribers opened by one test file, closed by {@link Harness.close}. */
export class Harness {
  readonly #connections: RedisConnection[] = [];
  readonly #subscribers: RedisConfigSubscriber[] = [];

  /** A connection, once it is ready (the defaults queue nothing while connecting). */
  async connect(options: RedisConnectionOptions): Promise<RedisConnection> {
    const connection = createRedisConnection(options);
    this.#connections.push(connection);
    await waitFor(() => connection.status === "ready", { description: "Redis connection ready" });
    return connection;
  }

  /** A connection, returned at once, still connecting (or retrying). */
  connectLater(options: RedisConnectionOptions): RedisConnection {
    const connection = createRedisConnection(options);
    this.#connections.push(connection);
    return connection;
  }

  /** A started subscriber recording its events. */
  async subscriber(
    options: RedisConfigSubscriberOptions,
  ): Promise<{ subscriber: RedisConfigSubscriber; events: SyncEvent[]; revisions: bigint[] }> {
    const events: SyncEvent[] = [];
    const revisions: bigint[] = [];
    const subscriber = new RedisConfigSubscriber({
      ...options,
      onEvent: (event) => {
        events.push(event);
        options.onEvent?.(event);
      },
    });
    this.#subscribers.push(subscriber);
    subscriber.subscribe((snapshot) => revisions.push(snapshot.revision));
    await subscriber.start();
    return { subscriber, events, revisions };
  }

  async close(): Promise<void> {
    await Promise.all(this.#subscribers.splice(0).map((subscriber) => subscriber.close()));
    await Promise.all(this.#connections.splice(0).map(closeRedisConnection));
  }
}

/** The events of one kind. */
export function ofKind<K extends SyncEvent["kind"]>(
  events: readonly SyncEvent[],
  kind: K,
): Extract<SyncEvent, { kind: K }>[] {
  return events.filter((event): event is Extract<SyncEvent, { kind: K }> => event.kind === kind);
}
