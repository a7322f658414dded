import type { Bot } from "./bot.ts";

/**
 * A bot with `pollOnce` and/or `drain` wrapped and everything else read through from the
 * original (its counters are getters, so they are forwarded, never copied).
 */
export function decorateBot(bot: Bot, wrap: { pollOnce?: Bot["pollOnce"]; drain?: Bot["drain"] }): Bot {
  return {
    pollOnce: wrap.pollOnce ?? (() => bot.pollOnce()),
    drain: wrap.drain ?? ((graceMs) => bot.drain(graceMs)),
    get inFlightCount() {
      return bot.inFlightCount;
    },
    get outcomes() {
      return bot.outcomes;
    },
    get outcomeCounts() {
      return bot.outcomeCounts;
    },
  };
}
