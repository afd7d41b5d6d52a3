/**
 * A small calculator REPL with line editing, served over mosh: no pty, no
 * shell — any mosh client connects straight to this program.
 *
 * ```sh
 * deno run --allow-net --unstable-net examples/repl.ts [--hostname 127.0.0.1] [--port 60001]
 * # prints MOSH CONNECT <port> <key>; then, on the client machine:
 * MOSH_KEY=<key> mosh-client <server ip> <port>
 * ```
 *
 * Keys: ←/→ (Ctrl-B/F), Home/End (Ctrl-A/E), Backspace, Ctrl-U, ↑/↓ for
 * history, Ctrl-L clears, Ctrl-C drops the line, Ctrl-D or `quit` ends.
 * Commands: an arithmetic expression (`+ - * / % ( )`), `size`, `help`.
 *
 * @module
 */
import { type ServedSession, serveSession } from "../mod.ts";

const encoder = new TextEncoder();
const PROMPT = "calc> ";
/** Home and End as terminals send them besides CSI H / CSI F (xterm, rxvt, screen, tmux). */
const HOME = new Set(["\x1b[1~", "\x1b[7~"]);
const END = new Set(["\x1b[4~", "\x1b[8~"]);

/** Evaluates `+ - * / % ( )` over decimal numbers, without `eval`. */
export function evaluate(source: string): number {
  const tokens = source.match(/\d+(?:\.\d+)?|\.\d+|[-+*/%()]|\S/g) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at token ${at + 1} (${JSON.stringify(tokens[at] ?? "end")})`);
  };
  const primary = (): number => {
    const t = tokens[at++];
    if (t === undefined) return fail("Expected a number");
    if (t === "(") {
      const value = sum();
      if (tokens[at++] !== ")") fail("Expected )");
      return value;
    }
    if (t === "-") return -primary();
    if (t === "+") return primary();
    if (/^[\d.]/.test(t)) return Number(t);
    at--;
    return fail("Unexpected");
  };
  const product = (): number => {
    let value = primary();
    for (let op = peek(); op === "*" || op === "/" || op === "%"; op = peek()) {
      at++;
      const right = primary();
      value = op === "*" ? value * right : op === "/" ? value / right : value % right;
    }
    return value;
  };
  const sum = (): number => {
    let value = product();
    for (let op = peek(); op === "+" || op === "-"; op = peek()) {
      at++;
      value = op === "+" ? value + product() : value - product();
    }
    return value;
  };
  const value = sum();
  if (at < tokens.length) fail("Unexpected");
  return value;
}

/** The line being edited: code points and a cursor. */
class LineEditor {
  chars: string[] = [];
  cursor = 0;
  readonly #history: string[] = [];
  #browsing = 0;

  insert(text: string): void {
    const add = [...text];
    this.chars.splice(this.cursor, 0, ...add);
    this.cursor += add.length;
  }

  backspace(): void {
    if (this.cursor === 0) return;
    this.chars.splice(--this.cursor, 1);
  }

  move(by: number): void {
    this.cursor = Math.max(0, Math.min(this.chars.length, this.cursor + by));
  }

  set(text: string): void {
    this.chars = [...text];
    this.cursor = this.chars.length;
  }

  /** Takes the finished line into the history. */
  take(): string {
    const line = this.chars.join("");
    if (line.trim() !== "") this.#history.push(line);
    this.#browsing = this.#history.length;
    this.set("");
    return line;
  }

  /** Steps through the history (-1 older, +1 newer). */
  browse(step: number): void {
    const next = this.#browsing + step;
    if (next < 0 || next > this.#history.length) return;
    this.#browsing = next;
    this.set(this.#history[next] ?? "");
  }

  /** The escape string that redraws the prompt line with the cursor in place. */
  render(): string {
    const back = this.chars.length - this.cursor;
    return `\r\x1b[K${PROMPT}${this.chars.join("")}${back > 0 ? `\x1b[${back}D` : ""}`;
  }
}

/** Runs the REPL on one served session until `quit`, Ctrl-D or the client leaves. */
export async function repl(session: ServedSession): Promise<void> {
  const writer = session.writable.getWriter();
  const write = (text: string) => writer.write(encoder.encode(text));
  const editor = new LineEditor();
  session.addEventListener("resize", () => write(editor.render()).catch(() => {}));
  await write(
    `\x1b]0;calc\x07\x1b[2J\x1b[HA calculator served over mosh (${session.columns}x${session.rows}).` +
      `\r\nType an expression, "help" or "quit".\r\n${PROMPT}`,
  );
  const decoder = new TextDecoder();
  const reader = session.readable.getReader();
  let pending = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return; // the client quit
      pending += decoder.decode(value, { stream: true });
      let out = "";
      while (pending.length > 0) {
        const key = nextKey(pending);
        if (key === null) break; // the rest of an escape sequence is still on its way
        pending = pending.slice(key.length);
        const final = key.length > 1 ? key[key.length - 1] : "";
        if (key === "\r") {
          const line = editor.take();
          const reply = answer(line, session);
          if (reply === null) {
            await write(`${out}\r\nbye\r\n`);
            return;
          }
          out += `\r\n${reply === "" ? "" : `${reply}\r\n`}`;
        } else if (key === "\x04") {
          if (editor.chars.length === 0) {
            await write(`${out}\r\nbye\r\n`);
            return;
          }
        } else if (key === "\x03") {
          editor.set("");
          out += "^C\r\n";
        } else if (key === "\x7f" || key === "\x08") editor.backspace();
        else if (key === "\x01" || final === "H" || HOME.has(key)) editor.move(-Infinity);
        else if (key === "\x05" || final === "F" || END.has(key)) editor.move(Infinity);
        else if (key === "\x02" || final === "D") editor.move(-1);
        else if (key === "\x06" || final === "C") editor.move(1);
        else if (final === "A") editor.browse(-1);
        else if (final === "B") editor.browse(1);
        else if (key === "\x15") editor.set("");
        else if (key === "\x0c") out += "\x1b[2J\x1b[H";
        else if (key.length === 1 && key >= " ") editor.insert(key);
        out += editor.render();
      }
      await write(out);
    }
  } finally {
    reader.releaseLock();
    writer.releaseLock();
  }
}

/**
 * The first key in `input`: an escape sequence (CSI or SS3), or one
 * character; null when `input` ends inside a sequence.
 */
function nextKey(input: string): string | null {
  if (input[0] !== "\x1b") return String.fromCodePoint(input.codePointAt(0)!);
  if (input.length === 1) return null;
  if (input[1] === "O") return input.length >= 3 ? input.slice(0, 3) : null;
  if (input[1] !== "[") return "\x1b";
  for (let i = 2; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c >= 0x40 && c <= 0x7e) return input.slice(0, i + 1); // the final byte
  }
  return null;
}

/** The reply to one line: text to print, "" for nothing, null to quit. */
function answer(line: string, session: ServedSession): string | null {
  const command = line.trim();
  if (command === "") return "";
  if (command === "quit" || command === "exit") return null;
  if (command === "size") return `${session.columns}x${session.rows}`;
  if (command === "help") {
    return "Arithmetic with + - * / % ( ); size; quit. Keys: arrows, Ctrl-A/E/U/L/C/D.";
  }
  try {
    return String(evaluate(command));
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

if (import.meta.main) {
  const args = Deno.args;
  const option = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const port = option("--port");
  const server = await serveSession({
    hostname: option("--hostname") ?? "0.0.0.0",
    ...(port === undefined ? {} : { port: Number(port) }), // default: mosh's 60001-60999
  }, repl);
  console.log(`MOSH CONNECT ${server.port} ${server.key}`);
  await server.finished;
}
