/**
 * A resume record for store and journal tests: a session on example:60001
 * whose owner is long gone, with a blank 80×24 screen on record.
 */
import { saveScreen } from "../../lib/client/session_journal.ts";
import type { SessionRecord } from "../../lib/client/session_store.ts";
import { CompleteTerminal } from "../../lib/statesync/complete_terminal.ts";
import { TerminalState } from "../../lib/terminal/terminal_state.ts";

/** A record `id`, last heard from now, with `overrides` applied. */
export function sessionRecord(id: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  const blank = new CompleteTerminal(new TerminalState(80, 24));
  return {
    format: 1,
    id,
    host: "example",
    ip: "127.0.0.1",
    port: 60001,
    key: "AAECAwQFBgcICQoLDA0ODw",
    owner: { pid: 999_999_999, start: "gone" },
    created: Date.now(),
    lastContact: Date.now(),
    networkTimeout: 0,
    seqEnd: 0,
    numEnd: "0",
    ackedNum: "0",
    events: "",
    remote: [saveScreen({ num: 0n, state: blank })],
    ...overrides,
  };
}
