/**
 * The rule that keeps one failure from flooding process warnings while it lasts (a store
 * that is down fails every dispatcher poll): the first occurrence is reported in full, saying
 * that its repeats will be counted; its repeats within a window are counted instead of
 * printed, a count line follows when it recurs after the window, and a last line when it has
 * stopped, or at once when its part says it is back (`back`) — as syslog's "last message
 * repeated N times" and Tor's rate-limited log lines ("N similar messages suppressed") do.
 * Only the default process-warning logger applies it: a logger the user gives sees every
 * record, to rate-limit (or count) as its own sink does.
 */
import type { Clock, ClockTimer } from './clock.js';

/** One failure seen recently: what identifies it and how often it recurred since its last line. */
interface Episode {
  /** Its one-line description (no stack), which the count lines repeat. */
  readonly head: string;
  /** The part it came from (a record's `component`), whose `back` ends it. */
  readonly group: string | undefined;
  /** When it first occurred, in epoch ms. */
  readonly firstAt: number;
  /** Occurrences in all, the first included. */
  total: number;
  /** When its last line (full or count) was written, in epoch ms. */
  reportedAt: number;
  /** When it last occurred, in epoch ms. */
  lastAt: number;
  /** Occurrences since its last line. */
  unreported: number;
  /** True once it recurred after its first line: only then is its end worth a line. */
  repeated: boolean;
  /** The timer that looks for its end. */
  timer: ClockTimer | undefined;
}

/** Most failures followed at once; beyond, the one seen least recently is let go (and reported again if it recurs). */
const maxEpisodes = 100;

/** `60_000` → `60 s`, `1_500` → `1.5 s`. */
const seconds = (ms: number): string => `${ms / 1000} s`;
const iso = (time: number): string => new Date(time).toISOString();

/** Process warnings of one logger, with the repeats of each failure folded. */
export class RepeatedWarnings {
  readonly #windowMs: number;
  /** A failure that has not recurred for this long is over; twice the window, so a task failing once per window still counts as one failure. */
  readonly #quietMs: number;
  readonly #clock: Clock;
  readonly #write: (text: string) => void;
  /** By key, least recently seen first. */
  readonly #episodes = new Map<string, Episode>();

  /**
   * @param windowMs - The shortest time between two lines about the same failure, in ms; 0 writes every occurrence in full.
   * @param clock - The time source and timers (a fake clock in tests).
   * @param write - Writes one warning's text.
   */
  constructor(windowMs: number, clock: Clock, write: (text: string) => void) {
    this.#windowMs = windowMs;
    this.#quietMs = 2 * windowMs;
    this.#clock = clock;
    this.#write = write;
  }

  /**
   * Reports one occurrence of the failure `key` from the part `group`: `full` (with its
   * stack) when it is new, its first line ending with what happens to its repeats; a count
   * line naming `head` when the window since its last line has passed; else nothing.
   */
  report(key: string, group: string | undefined, head: string, full: string): void {
    if (this.#windowMs === 0) return this.#write(full);
    const now = this.#clock.now();
    let episode = this.#episodes.get(key);
    // Its end timer may not have run yet (a busy event loop, a fake clock moved at once).
    if (episode !== undefined && now - episode.lastAt >= this.#quietMs) episode = this.#end(key, episode, 'over');
    if (episode === undefined) {
      this.#write(withNotice(full, head, `(repeats are counted: a count follows every ${seconds(this.#windowMs)} while it lasts)`));
      this.#begin(key, { head, group, firstAt: now, total: 1, reportedAt: now, lastAt: now, unreported: 0, repeated: false, timer: undefined });
      return;
    }
    episode.lastAt = now;
    episode.total += 1;
    episode.unreported += 1;
    episode.repeated = true;
    this.#episodes.delete(key); // to the back: seen most recently
    this.#episodes.set(key, episode);
    if (now - episode.reportedAt < this.#windowMs) return;
    this.#write(`${head} — ${times(episode.unreported)} since ${iso(episode.reportedAt)} (a failure that repeats is reported once per ${seconds(this.#windowMs)} while it lasts)`);
    episode.reportedAt = now;
    episode.unreported = 0;
  }

  /**
   * Writes `line` (the part `group` saying it is back: a connection restored), then ends
   * each failure of that part still followed, each with a line saying how long it lasted
   * and how often it occurred: the part says it is over, no need to wait for the quiet time.
   */
  back(group: string | undefined, line: string): void {
    this.#write(line);
    for (const [key, episode] of [...this.#episodes]) if (episode.group === group) this.#end(key, episode, 'back');
  }

  #begin(key: string, episode: Episode): void {
    this.#episodes.set(key, episode);
    this.#watch(key, episode, this.#quietMs);
    if (this.#episodes.size <= maxEpisodes) return;
    const [oldestKey, oldest] = this.#episodes.entries().next().value as [string, Episode];
    this.#end(oldestKey, oldest, 'dropped');
  }

  /** Looks for the end of `episode` after `delayMs`: over when it has not recurred for the quiet time, else looks again. */
  #watch(key: string, episode: Episode, delayMs: number): void {
    // Housekeeping: a fake clock's runAll need not run it, and it keeps no process alive.
    episode.timer = this.#clock.setTimer(() => {
      episode.timer = undefined;
      if (this.#episodes.get(key) !== episode) return;
      const quietFor = this.#clock.now() - episode.lastAt;
      if (quietFor >= this.#quietMs) this.#end(key, episode, 'over');
      else this.#watch(key, episode, this.#quietMs - quietFor);
    }, delayMs, 'housekeeping');
  }

  /**
   * Lets `episode` go — `over` (quiet for the quiet time), `back` (its part said so) or
   * `dropped` (to follow a newer failure) — with a last line when it had repeated (or its
   * part is back): how often since its last line, and when it was last seen.
   */
  #end(key: string, episode: Episode, why: 'over' | 'back' | 'dropped'): undefined {
    this.#episodes.delete(key);
    if (episode.timer !== undefined) this.#clock.clearTimer(episode.timer);
    if (why === 'back') {
      const lasted = Math.round((this.#clock.now() - episode.firstAt) / 1000);
      this.#write(`${episode.head} — back after ${lasted} s, ${episode.total === 1 ? '1 failure' : `${episode.total} failures`} in all, the last at ${iso(episode.lastAt)}`);
      return undefined;
    }
    if (!episode.repeated) return undefined;
    const since = episode.unreported === 0 ? '' : `${times(episode.unreported)} since ${iso(episode.reportedAt)}, `;
    const last = `${since}the last at ${iso(episode.lastAt)}`;
    this.#write(why === 'over' ? `${episode.head} — over: ${last}, then none for ${seconds(this.#quietMs)}` : `${episode.head} — ${last}; no longer counted: more than ${maxEpisodes} different failures at once`);
    return undefined;
  }
}

/** `full` with `notice` at the end of its first line (`head`, before the stack), or at its end. */
function withNotice(full: string, head: string, notice: string): string {
  return full.startsWith(head) ? `${head} ${notice}${full.slice(head.length)}` : `${full} ${notice}`;
}

function times(count: number): string {
  return count === 1 ? 'once more' : `${count} more times`;
}
