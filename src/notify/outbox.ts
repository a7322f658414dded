import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import writeFileAtomic from "write-file-atomic";
import { z } from "zod";
import { errorMessage } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import type { MessageId } from "../state/decisions.ts";
import type { PlannedNotification } from "./plan-notifications.ts";

/**
 * Rendered notifications not yet delivered, kept until each is sent or out of attempts, so a
 * restart can retry them (the report they were rendered from is not kept anywhere else).
 * Whether a channel is done is read from the state, never from here.
 */
export interface OutboxEntry extends MessageId {
  notifications: PlannedNotification[];
}

export interface Outbox {
  put(entry: OutboxEntry): Promise<void>;
  list(): Promise<OutboxEntry[]>;
  remove(id: MessageId): Promise<void>;
}

const plannedSchema = z.discriminatedUnion("channel", [
  z.object({ channel: z.enum(["email", "escalation-email"]), reason: z.string(), to: z.array(z.string()), subject: z.string(), text: z.string() }),
  z.object({ channel: z.literal("dm"), reason: z.string(), users: z.array(z.string()), text: z.string() }),
]);
const entrySchema = z.object({ channel: z.string().min(1), ts: z.string().min(1), notifications: z.array(plannedSchema) });

/** One JSON file per alert in `dir`, written atomically; the state file's lock guards it too. */
export function createFileOutbox(dir: string, logger: Logger): Outbox {
  const fileOf = (id: MessageId) => join(dir, `${id.channel}-${id.ts}.json`.replace(/[^\w.-]/g, "_"));
  return {
    async put(entry) {
      await mkdir(dir, { recursive: true });
      await writeFileAtomic(fileOf(entry), `${JSON.stringify(entry, null, 2)}\n`, { mode: 0o600 });
    },
    async list() {
      const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return [] as string[];
        throw error;
      });
      const entries: OutboxEntry[] = [];
      for (const name of names.filter((n) => n.endsWith(".json")).sort()) {
        try {
          entries.push(entrySchema.parse(JSON.parse(await readFile(join(dir, name), "utf8"))));
        } catch (error) {
          logger.warn({ file: join(dir, name), error: errorMessage(error) }, "unreadable outbox entry; its notifications are dropped");
          await rm(join(dir, name), { force: true });
        }
      }
      return entries;
    },
    async remove(id) {
      await rm(fileOf(id), { force: true });
    },
  };
}

/** Keeps entries in memory only (tests, and when no state file is written). */
export function createMemoryOutbox(): Outbox & { readonly entries: ReadonlyMap<string, OutboxEntry> } {
  const entries = new Map<string, OutboxEntry>();
  return {
    entries,
    async put(entry) {
      entries.set(`${entry.channel}:${entry.ts}`, structuredClone(entry));
    },
    async list() {
      return [...entries.values()].map((e) => structuredClone(e));
    },
    async remove(id) {
      entries.delete(`${id.channel}:${id.ts}`);
    },
  };
}
