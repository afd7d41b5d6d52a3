/**
 * A host made of two streams: what a handler writes is the program's
 * output (the session's emulator interprets it as it would a pty's), and
 * what the user types is readable. No pty, no shell, no FFI.
 *
 * @module
 */
import type { Host } from "./host.ts";

/**
 * Written after the session ended.
 *
 * @example
 * ```ts
 * import { SessionClosedError } from "./stream_host.ts";
 * new SessionClosedError().name; // "SessionClosedError"
 * ```
 */
export class SessionClosedError extends Error {
  /** The error for a write after the end. */
  constructor() {
    super("The mosh session is closed: the client quit or the server shut down");
    this.name = "SessionClosedError";
  }
}

/**
 * The `resize` event of a {@linkcode ServedSession}: the client's new window size.
 *
 * @example
 * ```ts
 * import { ResizeEvent } from "./stream_host.ts";
 * const event = new ResizeEvent(100, 30); // event.type === "resize"
 * ```
 */
export class ResizeEvent extends Event {
  /** New width. */
  readonly columns: number;
  /** New height. */
  readonly rows: number;
  /** A resize to `columns` × `rows`. */
  constructor(columns: number, rows: number) {
    super("resize");
    this.columns = columns;
    this.rows = rows;
  }
}

/**
 * One client's session as a handler sees it: the user's keystrokes to read,
 * terminal output to write, the window size and its changes.
 *
 * Input arrives as a raw-mode program would read it from a terminal (Enter
 * is `"\r"`, Ctrl-C is `"\x03"`, arrows are escape sequences); output is
 * not post-processed, so write `"\r\n"` to start a new line, as a raw-mode
 * program does.
 *
 * @example Follow the window size
 * ```ts
 * import { StreamHost } from "./stream_host.ts";
 * const sizes: string[] = [];
 * const host = new StreamHost((session) => {
 *   session.addEventListener("resize", () => sizes.push(`${session.columns}x${session.rows}`));
 * });
 * host.attach(80, 24);
 * host.resize(100, 30); // sizes: ["100x30"]
 * host.close();
 * ```
 */
export class ServedSession extends EventTarget {
  /** What the user typed (ends when the session closes). */
  readonly readable: ReadableStream<Uint8Array>;
  /** Terminal output: text and escape sequences. Closing it ends the session. */
  readonly writable: WritableStream<Uint8Array>;
  /** Resolves when the session is over. */
  readonly closed: Promise<void>;
  #columns: number;
  #rows: number;

  /**
   * A session over `streams`, `columns` × `rows`; `onResize` receives the
   * function that reports a new size (the host calls it).
   */
  constructor(
    streams: {
      readable: ReadableStream<Uint8Array>;
      writable: WritableStream<Uint8Array>;
      closed: Promise<void>;
    },
    columns: number,
    rows: number,
    onResize: (resized: (columns: number, rows: number) => void) => void,
  ) {
    super();
    this.readable = streams.readable;
    this.writable = streams.writable;
    this.closed = streams.closed;
    this.#columns = columns;
    this.#rows = rows;
    onResize((c, r) => this.#resized(c, r));
  }

  /** Window width in columns. */
  get columns(): number {
    return this.#columns;
  }

  /** Window height in rows. */
  get rows(): number {
    return this.#rows;
  }

  #resized(columns: number, rows: number): void {
    if (columns === this.#columns && rows === this.#rows) return;
    this.#columns = columns;
    this.#rows = rows;
    this.dispatchEvent(new ResizeEvent(columns, rows));
  }
}

interface PendingChunk {
  bytes: Uint8Array;
  taken: () => void;
}

/**
 * A {@linkcode Host} over streams. {@linkcode attach} (the first client)
 * calls `start` with the {@linkcode ServedSession}; when `start`'s promise
 * settles or the writable is closed, the output ends and the session shuts
 * down.
 *
 * @example What a session does with a host, by hand
 * ```ts
 * import { StreamHost } from "./stream_host.ts";
 * const host = new StreamHost(async (session) => {
 *   const writer = session.writable.getWriter();
 *   await writer.write(new TextEncoder().encode(`hello ${session.columns}x${session.rows}`));
 * });
 * host.attach(80, 24); // a client connected: the handler starts
 * await host.read(); // "hello 80x24", for the session's emulator
 * await host.read(); // null: the handler returned, the session shuts down
 * host.close();
 * await host.handlerDone;
 * ```
 */
export class StreamHost implements Host {
  /** Settles when the handler has: with its error, if it threw one. */
  readonly handlerDone: Promise<void>;
  readonly #start: (session: ServedSession) => Promise<void> | void;
  readonly #input: ReadableStream<Uint8Array>;
  #inputController!: ReadableStreamDefaultController<Uint8Array>;
  readonly #output: WritableStream<Uint8Array>;
  readonly #chunks: PendingChunk[] = [];
  #reader: ((chunk: Uint8Array | null) => void) | null = null;
  #outputEnded = false;
  #inputCancelled = false;
  #closed = false;
  #session: ServedSession | null = null;
  #resized: (columns: number, rows: number) => void = () => {};
  #closedResolve!: () => void;
  readonly #closedPromise: Promise<void>;
  #handlerSettled!: (error: unknown) => void;

  /** A host that runs `start` once a client connects. */
  constructor(start: (session: ServedSession) => Promise<void> | void) {
    this.#start = start;
    this.#closedPromise = new Promise((resolve) => this.#closedResolve = resolve);
    this.handlerDone = new Promise((resolve, reject) => {
      this.#handlerSettled = (error) => error === undefined ? resolve() : reject(error);
    });
    this.handlerDone.catch(() => {}); // observed by whoever awaits it
    this.#input = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#inputController = controller;
      },
      cancel: () => {
        this.#inputCancelled = true; // the handler wants no input: keys are dropped
      },
    });
    this.#output = new WritableStream<Uint8Array>({
      write: (bytes) => this.#push(bytes),
      close: () => this.#endOutput(),
      abort: () => this.#endOutput(),
    });
  }

  /** Whether the handler has been started (a client connected). */
  get attached(): boolean {
    return this.#session !== null;
  }

  /** Output queued for the session; resolves once the session took it. */
  #push(bytes: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new SessionClosedError());
    if (this.#outputEnded || bytes.length === 0) return Promise.resolve();
    const copy = bytes.slice();
    if (this.#reader) {
      const reader = this.#reader;
      this.#reader = null;
      reader(copy);
      return Promise.resolve();
    }
    return new Promise((taken) => this.#chunks.push({ bytes: copy, taken }));
  }

  #endOutput(): void {
    this.#outputEnded = true;
    if (this.#chunks.length === 0 && this.#reader) {
      const reader = this.#reader;
      this.#reader = null;
      reader(null);
    }
  }

  read(): Promise<Uint8Array | null> {
    const next = this.#chunks.shift();
    if (next) {
      next.taken();
      return Promise.resolve(next.bytes);
    }
    if (this.#outputEnded || this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => this.#reader = resolve);
  }

  write(bytes: Uint8Array): Promise<void> {
    if (!this.#closed && !this.#inputCancelled) this.#inputController.enqueue(bytes.slice());
    return Promise.resolve();
  }

  resize(columns: number, rows: number): void {
    this.#resized(columns, rows);
  }

  attach(columns: number, rows: number): void {
    if (this.#session) return;
    const session = new ServedSession(
      { readable: this.#input, writable: this.#output, closed: this.#closedPromise },
      columns,
      rows,
      (resized) => this.#resized = resized,
    );
    this.#session = session;
    (async () => await this.#start(session))().then(
      () => this.#handlerSettled(undefined),
      (error) => this.#handlerSettled(error ?? new Error("The session handler failed")),
    ).finally(() => this.#endOutput());
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#outputEnded = true;
    if (!this.#inputCancelled) this.#inputController.close();
    for (const chunk of this.#chunks.splice(0)) chunk.taken();
    this.#reader?.(null);
    this.#reader = null;
    this.#closedResolve();
    if (!this.#session) this.#handlerSettled(undefined);
  }
}
