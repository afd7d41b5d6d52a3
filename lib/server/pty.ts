/**
 * A pseudo-terminal through libc: open it with UTF-8 input processing
 * (IUTF8, so erase works on multibyte characters), set its window size,
 * and read/write the master side without blocking Deno's event loop.
 *
 * @module
 */
import { errno, libc, PLATFORM } from "../libc.ts";
import { after } from "../network/wakeup_timer.ts";

/** A pty operation that failed; the message names the call and errno. */
export class PtyError extends Error {
  readonly errno: number;
  constructor(call: string, code: number) {
    super(`${call} failed on the pseudo-terminal (errno ${code})`);
    this.name = "PtyError";
    this.errno = code;
  }
}

/** Most bytes one {@linkcode Pty.read} returns. */
const READ_SIZE = 65536;
const FIONREAD = BigInt(PLATFORM.FIONREAD);
/**
 * Input bytes written to the pty at once. The line discipline echoes input
 * into the master side, and echo it cannot pass on (the master's buffer full
 * of output we have not read yet) it drops, so a long paste into `cat` lost
 * whole screens of its echo. While the terminal echoes, the writer keeps at
 * most {@linkcode ECHO_AHEAD} bytes ahead of what our reader has taken (echo
 * is at least as long as its input), across writes (a paste arrives in many):
 * input goes no faster than its echo is read, as in tmux, whose event loop
 * interleaves the two. (Waiting only while output was waiting was not
 * enough: the line discipline echoes a write a little later, so several
 * could pass before their echo showed.)
 */
const WRITE_CHUNK = 1024;
const ECHO_AHEAD = 2048;
/** How long the writer waits for echo that may never come (a program that reads nothing). */
const ECHO_WAIT_MS = 50;
/** `c_lflag` bit: the terminal echoes input (the same on Linux and macOS). */
const ECHO = 0o10;

function winsize(width: number, height: number): Uint8Array<ArrayBuffer> {
  const ws = new Uint8Array(8);
  const v = new DataView(ws.buffer);
  v.setUint16(0, height, true);
  v.setUint16(2, width, true);
  return ws;
}

/** `struct termios` starts with its flag words: c_iflag, c_oflag, c_cflag, c_lflag. */
const IFLAG = 0, LFLAG = 3;

/**
 * Byte offset of flag word `index` in a `struct termios`. Each word is 4 or
 * 8 bytes (`PLATFORM.iflagSize`); the flags we touch are in its low 32 bits,
 * which come first on the little-endian machines we run on.
 */
function flagOffset(index: number): number {
  return index * PLATFORM.iflagSize;
}

/** Sets IUTF8 on a terminal fd. */
export function setIutf8(fd: number): void {
  const c = libc();
  const t = new Uint8Array(PLATFORM.termiosSize);
  if (c.tcgetattr(fd, t) !== 0) throw new PtyError("tcgetattr", errno());
  const v = new DataView(t.buffer);
  v.setUint32(flagOffset(IFLAG), v.getUint32(flagOffset(IFLAG), true) | PLATFORM.IUTF8, true);
  if (c.tcsetattr(fd, 0, t) !== 0) throw new PtyError("tcsetattr", errno());
}

/**
 * The master side of a pty (the server keeps it) and the slave's path (the
 * child opens it as its controlling terminal).
 *
 * @example
 * ```ts ignore
 * const pty = Pty.open(80, 24);
 * pty.write(new TextEncoder().encode("ls\n"));
 * const output = await pty.read(); // null once the child side is gone
 * ```
 */
export class Pty {
  /** File descriptor of the pty master side. */
  readonly master: number;
  /** The slave fd, held open by the server until {@linkcode closeSlave}. */
  #slave: number;
  /** Slave path. */
  readonly slavePath: string;
  #closed = false;
  #writing: Promise<void> = Promise.resolve();
  readonly #readBuffer = new Uint8Array(READ_SIZE);
  /** Whether the last read waited on the worker (the event loop had its turn). */
  #yielded = true;
  readonly #count = new Int32Array(1);
  readonly #countBytes = new Uint8Array(this.#count.buffer);
  /** Resolved when the next read returns (the writer paces input by it). */
  #readDone: (() => void) | null = null;
  /** Input bytes written whose echo (as many bytes of output) has not been read yet. */
  #owed = 0;
  readonly #termios = new Uint8Array(PLATFORM.termiosSize);
  readonly #termiosView = new DataView(this.#termios.buffer);

  private constructor(master: number, slave: number, slavePath: string) {
    this.master = master;
    this.#slave = slave;
    this.slavePath = slavePath;
  }

  /** Opens a pty of the given size with IUTF8 set. */
  static open(width: number, height: number): Pty {
    const c = libc();
    const m = new Int32Array(1), s = new Int32Array(1);
    const ws = winsize(width, height);
    if (
      c.openpty(new Uint8Array(m.buffer), new Uint8Array(s.buffer), null, null, ws) !== 0
    ) {
      throw new PtyError("openpty", errno());
    }
    const master = m[0]!, slave = s[0]!;
    // Not inherited by the processes we spawn: the shell must not hold the master
    // (it would never see the hangup) and the helper must not hold either.
    for (const fd of [master, slave]) c.fcntl(fd, 2, /* F_SETFD */ 1 /* FD_CLOEXEC */);
    const name = c.ptsname(master);
    if (name === null) throw new PtyError("ptsname", errno());
    setIutf8(slave);
    return new Pty(master, slave, Deno.UnsafePointerView.getCString(name));
  }

  /** The slave fd (tests). */
  get slave(): number {
    return this.#slave;
  }

  /** Closes our copy of the slave so EOF/EIO reaches us when the child's side is gone. */
  closeSlave(): void {
    if (this.#slave >= 0) {
      libc().close(this.#slave);
      this.#slave = -1;
    }
  }

  /** Sets the window size (the kernel sends SIGWINCH to the foreground job). */
  resize(width: number, height: number): void {
    if (libc().ioctl(this.master, BigInt(PLATFORM.TIOCSWINSZ), winsize(width, height)) !== 0) {
      throw new PtyError("ioctl(TIOCSWINSZ)", errno());
    }
  }

  /** The window size as the kernel holds it. */
  size(): { width: number; height: number } {
    const ws = new Uint8Array(8);
    if (libc().ioctl(this.master, BigInt(PLATFORM.TIOCGWINSZ), ws) !== 0) {
      throw new PtyError("ioctl(TIOCGWINSZ)", errno());
    }
    const v = new DataView(ws.buffer);
    return { width: v.getUint16(2, true), height: v.getUint16(0, true) };
  }

  /**
   * Reads what the child wrote (up to 64 KiB), waiting on a worker thread.
   * Returns `null` at EOF or EIO (the child side is closed).
   */
  async read(): Promise<Uint8Array | null> {
    if (this.#closed) return null;
    const buffer = this.#readBuffer;
    // In a flood the child has written more by the time we are back: then
    // every other read takes it at once, without the hand-off to a worker
    // thread (a third of the server's time reading, 2026-12-07 profile). The
    // others still wait on the worker, so the event loop gets its turn (a
    // keystroke such as Ctrl-C must get through a flood).
    let n = 0;
    if (this.#yielded) {
      const waiting = this.#waiting();
      if (waiting > 0) {
        n = Number(libc().read(this.master, buffer, BigInt(Math.min(waiting, READ_SIZE))));
      }
    }
    this.#yielded = n <= 0;
    // errno lives on the worker thread, so any failure counts as the end (EIO).
    if (n <= 0) n = Number(await libc().read_async(this.master, buffer, BigInt(READ_SIZE)));
    if (n <= 0) {
      this.#readDone?.();
      return null;
    }
    // A read returns at most the line discipline's 4 KiB; in a flood more is
    // already waiting, and taking it here (a read that cannot block) saves a
    // hand-off to a worker thread and a pass of the session loop per 4 KiB.
    while (n < READ_SIZE && !this.#closed) {
      const waiting = this.#waiting();
      if (waiting <= 0) break;
      const more = Number(
        libc().read(this.master, buffer.subarray(n), BigInt(Math.min(waiting, READ_SIZE - n))),
      );
      if (more <= 0) break;
      n += more;
    }
    this.#owed = Math.max(0, this.#owed - n);
    this.#readDone?.();
    return buffer.slice(0, n);
  }

  /** Bytes the child wrote that a read would return at once (0 when unknown). */
  #waiting(): number {
    if (libc().ioctl(this.master, FIONREAD, this.#countBytes) !== 0) return 0;
    return this.#count[0]!;
  }

  /** Queues bytes for the child, written in order on a worker thread. */
  write(bytes: Uint8Array): Promise<void> {
    const data = bytes.slice();
    this.#writing = this.#writing.then(async () => {
      let at = 0;
      while (at < data.length && !this.#closed) {
        if (this.#owed > ECHO_AHEAD && !this.#echoes()) this.#owed = 0; // no echo to wait for
        while (this.#owed > ECHO_AHEAD) {
          if (!await this.#nextRead(ECHO_WAIT_MS)) break;
        }
        if (this.#closed) return;
        const size = Math.min(data.length - at, WRITE_CHUNK);
        const n = Number(
          await libc().write_async(this.master, data.subarray(at), BigInt(size)),
        );
        if (n < 0) throw new PtyError("write", -1);
        at += n;
        this.#owed += n;
      }
    });
    return this.#writing;
  }

  /** Whether the terminal echoes input (its `ECHO` flag; the shell's line editor turns it off). */
  #echoes(): boolean {
    if (libc().tcgetattr(this.master, this.#termios) !== 0) return false;
    return (this.#termiosView.getUint32(flagOffset(LFLAG), true) & ECHO) !== 0;
  }

  /** Resolves true when the next read returns, false after `ms` without one. */
  #nextRead(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const cancel = after(ms, () => {
        this.#readDone = null;
        resolve(false);
      });
      this.#readDone = () => {
        this.#readDone = null;
        cancel();
        resolve(true);
      };
    });
  }

  /** Closes both sides we hold. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#readDone?.();
    this.closeSlave();
    libc().close(this.master);
  }
}
