/**
 * The remote command line and ssh invocation, built exactly as mosh 1.4.0
 * builds them so our `mosh` works with any installed `mosh-server`.
 *
 * @module
 */
import { LOCALE_VARS } from "../locale.ts";
import type { WrapperOptions } from "./wrapper_args.ts";

/** Single-quotes a word for a POSIX shell (`'` becomes `'\''`). */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Splits a command the way a shell would (quotes and backslashes honoured). */
export function shellSplit(text: string): string[] {
  const words: string[] = [];
  let word = "", inWord = false, quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === "\\" && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) {
        word += text[++i];
      } else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * The server's arguments: `new -c <colors> [bind] [-p port] [-l NAME=VALUE]... [-- command]`.
 *
 * @example
 * ```ts
 * import { serverArgs } from "./remote_command.ts";
 * serverArgs({ colors: 256, bindServer: "ssh", local: false, port: null, host: "h", command: [] }, { LANG: "C.UTF-8" });
 * // ["new", "-c", "256", "-s", "-l", "LANG=C.UTF-8"]
 * ```
 */
export function serverArgs(
  o: {
    colors: number;
    bindServer: string;
    local: boolean;
    port: string | null;
    host: string;
    command: string[];
  },
  env: Record<string, string | undefined>,
): string[] {
  const args = ["new", "-c", String(o.colors)];
  if (o.bindServer.toLowerCase() === "ssh") args.push(...(o.local ? ["-i", o.host] : ["-s"]));
  else if (o.bindServer.toLowerCase() !== "any") args.push("-i", o.bindServer);
  if (o.port !== null) args.push("-p", o.port);
  for (const name of LOCALE_VARS) {
    const v = env[name];
    if (v !== undefined) args.push("-l", `${name}=${v}`);
  }
  if (o.command.length > 0) args.push("--", ...o.command);
  return args;
}

/** The remote command string: `<server> 'arg' 'arg' …` (with the SSH_CONNECTION probe in remote mode). */
export function remoteCommand(server: string, args: string[], remoteIpMode: string): string {
  const cmd = `${server} ${args.map(shellQuote).join(" ")}`;
  if (remoteIpMode !== "remote") return cmd;
  const probe =
    `[ -n "$SSH_CONNECTION" ] && printf "\\nMOSH SSH_CONNECTION %s\\n" "$SSH_CONNECTION"`;
  return `sh -c ${shellQuote(probe)} ; ${cmd}`;
}

/** The ssh argv: `<ssh words> -n [-tt] [-4|-6] [-S none -o ProxyCommand=…] <target> -- <remote command>`. */
export function sshArgv(
  o: Pick<WrapperOptions, "ssh" | "sshPty" | "remoteIp" | "family">,
  target: string,
  command: string,
  proxyCommand: string,
): string[] {
  const argv = [...shellSplit(o.ssh), "-n"];
  if (o.sshPty) argv.push("-tt");
  if (o.remoteIp === "remote" && o.family === "inet") argv.push("-4");
  if (o.remoteIp === "remote" && o.family === "inet6") argv.push("-6");
  if (o.remoteIp === "proxy") argv.push("-S", "none", "-o", `ProxyCommand=${proxyCommand}`);
  argv.push(target, "--", command);
  return argv;
}

/** What the wrapper learned from the server's output. */
export interface ServerReply {
  ip: string | null;
  sshConnectionIp: string | null;
  port: number | null;
  key: string | null;
  oldServer: boolean;
}

/** Parses the `MOSH IP`, `MOSH SSH_CONNECTION` and `MOSH CONNECT` lines; other lines are passed on. */
export class ReplyParser {
  readonly reply: ServerReply = {
    ip: null,
    sshConnectionIp: null,
    port: null,
    key: null,
    oldServer: false,
  };
  readonly #prog: string;
  readonly #portRange: boolean;

  constructor(prog: string, portRange: boolean) {
    this.#prog = prog;
    this.#portRange = portRange;
  }

  /** Handles one line; returns it if it should be shown to the user, `null` otherwise. */
  line(raw: string): string | null {
    const line = raw.replace(/\s+$/, "");
    if (line.startsWith("MOSH IP ")) {
      if (this.reply.ip !== null) {
        throw new Error(`${this.#prog} error: detected attempt to redefine MOSH IP.`);
      }
      const m = line.match(/^MOSH IP (\S+)$/);
      if (!m) throw new Error(`Bad MOSH IP string: ${line}`);
      this.reply.ip = m[1]!;
      return null;
    }
    if (line.startsWith("MOSH SSH_CONNECTION ")) {
      const words = line.split(/\s+/);
      if (words.length !== 6) throw new Error(`Bad MOSH SSH_CONNECTION string: ${line}`);
      this.reply.sshConnectionIp = words[4]!;
      return null;
    }
    if (line.startsWith("MOSH CONNECT")) {
      const m = line.match(/^MOSH CONNECT (\d+?) ([A-Za-z0-9/+]{22})\s*$/);
      if (!m) throw new Error(`Bad MOSH CONNECT string: ${line}`);
      this.reply.port = Number(m[1]);
      this.reply.key = m[2]!;
      return null;
    }
    if (this.#portRange && line.includes("Bad UDP port")) this.reply.oldServer = true;
    return raw;
  }
}
