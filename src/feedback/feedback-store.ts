import { mkdir, readFile, rename } from "node:fs/promises";
import { dirname } from "node:path";
import writeFileAtomic from "write-file-atomic";
import { OncallError, errorMessage } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import { emptyFeedback, feedbackFileSchema, type FeedbackFile } from "./schema.ts";

/** The feedback file next to the state file. */
export const feedbackFileFor = (stateFile: string) => `${stateFile}.feedback.json`;

export interface FeedbackStore {
  readonly data: FeedbackFile;
  /** Applies a pure change and writes the file atomically; writes are serialized. */
  update(change: (data: FeedbackFile) => FeedbackFile): Promise<void>;
}

/**
 * Reads the file (absent: empty). An unreadable file is, by `onCorrupt`: moved aside and started
 * afresh (the bot: feedback is advisory), read as empty and left in place (a dry run), or an error
 * (the `feedback` command).
 */
export async function readFeedbackFile(
  file: string,
  logger: Logger | null,
  onCorrupt: "move-aside" | "empty" | "throw",
): Promise<FeedbackFile> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyFeedback();
    throw error;
  }
  try {
    return feedbackFileSchema.parse(JSON.parse(text));
  } catch (error) {
    if (onCorrupt === "throw") throw new OncallError("feedback_unreadable", `${file} is not a feedback file this version can read: ${errorMessage(error)}`, { cause: error });
    if (onCorrupt === "empty") {
      logger?.warn({ file, error: errorMessage(error) }, "the feedback file is unreadable; reading it as empty");
      return emptyFeedback();
    }
    const aside = `${file}.corrupt-${Date.now()}`;
    await rename(file, aside);
    logger?.error({ file, movedTo: aside, error: errorMessage(error) }, "the feedback file was unreadable; moved aside, starting empty");
    return emptyFeedback();
  }
}

/** The store the bot writes; `readOnly` (a dry run) reads the file and keeps changes in memory. */
export async function openFeedbackStore(file: string, logger: Logger, options: { readOnly?: boolean } = {}): Promise<FeedbackStore> {
  let data = await readFeedbackFile(file, logger, options.readOnly ? "empty" : "move-aside");
  let queue: Promise<void> = Promise.resolve();
  return {
    get data() {
      return data;
    },
    update(change) {
      const run = queue.then(async () => {
        const next = change(data);
        if (next === data) return;
        if (options.readOnly) {
          data = next;
          return;
        }
        await mkdir(dirname(file), { recursive: true });
        await writeFileAtomic(file, `${JSON.stringify(next, null, 2)}\n`, { fsync: true });
        data = next;
      });
      queue = run.catch(() => {});
      return run;
    },
  };
}
