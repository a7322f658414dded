export { PLAYBOOK, getPlaybookEntry } from "./playbook.ts";
export { renderPlaybookPrompt } from "./render-playbook.ts";
export { POD_PLACEHOLDER } from "./types.ts";
export type { PlaybookCategory, PlaybookEntry, PlaybookStep } from "./types.ts";
