/**
 * The hot part of a session's record: the server screens the journal saves
 * before each acknowledgement (up to 10 times a second under output), the
 * keystrokes it saves before they leave, and the acknowledged state number.
 * They are written in place, in turn, into two files beside the record
 * (`<id>.screens0`, `<id>.screens1`), each write numbered and checksummed:
 * a write torn by a kill leaves the other file whole, and a reader takes
 * the newest whole one. Replacing the record by rename instead cost ≈ 0.4 ms
 * of system time per save on ext4 (the rename over a file starts its
 * writeback); a write into an open file costs ≈ 10 µs.
 *
 * @module
 */
import type { SavedScreen } from "./session_store.ts";

/** One numbered save of the screens on record. */
export interface SavedScreens {
  /** Save number: higher is newer (the record's `remoteGen` counts the same way). */
  gen: number;
  /** When the server was last heard from (ms since the epoch). */
  lastContact: number;
  /** The server screens on record (one to three, oldest first). */
  remote: SavedScreen[];
  /** The record's `events` at this save (absent in slots written before 2026-12-06). */
  events?: string;
  /** The record's `ackedNum` at this save (likewise). */
  ackedNum?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The two files of session `id` in `dir`. */
export function screenSlotPaths(dir: string, id: string): [string, string] {
  return [`${dir}/${id}.screens0`, `${dir}/${id}.screens1`];
}

/** FNV-1a of a string's UTF-16 units: tells a whole write from a torn one. */
function checksum(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A slot's text: a header line `gen length checksum`, then the JSON. */
function encodeSlot(saved: SavedScreens): Uint8Array {
  const json = JSON.stringify(saved);
  return encoder.encode(`${saved.gen} ${json.length} ${checksum(json)}\n${json}`);
}

/** The screens in a slot's text, or null if it is torn, truncated or not a slot. */
function decodeSlot(text: string): SavedScreens | null {
  const newline = text.indexOf("\n");
  const header = text.slice(0, newline).split(" ").map(Number);
  const json = text.slice(newline + 1);
  if (newline < 0 || header.length !== 3 || header[1] !== json.length) return null;
  if (header[2] !== checksum(json)) return null;
  try {
    const saved = JSON.parse(json) as SavedScreens;
    if (saved.gen !== header[0] || !Array.isArray(saved.remote) || saved.remote.length === 0) {
      return null;
    }
    if (saved.events !== undefined && typeof saved.events !== "string") return null;
    if (saved.ackedNum !== undefined && typeof saved.ackedNum !== "string") return null;
    return saved;
  } catch {
    return null;
  }
}

/**
 * The newest whole save of session `id`'s screens, or null when there is
 * none. `check` vets each file that exists (owner, mode) and throws to refuse it.
 */
export function readScreenSlots(
  dir: string,
  id: string,
  check: (path: string, info: Deno.FileInfo) => void,
): SavedScreens | null {
  let newest: SavedScreens | null = null;
  for (const path of screenSlotPaths(dir, id)) {
    let info;
    try {
      info = Deno.lstatSync(path);
    } catch {
      continue; // never written
    }
    if (!info.isFile) continue;
    check(path, info);
    let text;
    try {
      text = decoder.decode(Deno.readFileSync(path));
    } catch {
      continue;
    }
    const saved = decodeSlot(text);
    if (saved !== null && (newest === null || saved.gen > newest.gen)) newest = saved;
  }
  return newest;
}

/**
 * Writes one session's screens into its two slot files in turn.
 *
 * @example
 * ```ts ignore
 * const slots = new ScreenSlots(store.dir, record.id);
 * slots.write({ gen: 1, lastContact: Date.now(), remote: record.remote });
 * slots.close();
 * ```
 */
export class ScreenSlots {
  readonly #files: Deno.FsFile[];

  /** Opens (creating, 0600) both slot files of session `id` in `dir`. */
  constructor(dir: string, id: string) {
    this.#files = screenSlotPaths(dir, id).map((path) =>
      Deno.openSync(path, { read: true, write: true, create: true, mode: 0o600 })
    );
  }

  /** Overwrites the slot of `saved.gen` (the other one keeps the previous save). */
  write(saved: SavedScreens): void {
    const file = this.#files[saved.gen & 1]!;
    const bytes = encodeSlot(saved);
    file.seekSync(0, Deno.SeekMode.Start);
    let at = 0;
    while (at < bytes.length) at += file.writeSync(bytes.subarray(at));
    file.truncateSync(bytes.length);
  }

  /** Closes both files. */
  close(): void {
    for (const file of this.#files) file.close();
  }
}
