/**
 * Debian's real mosh-client as a second, independent decoder of our display
 * diffs: our server-side transport sends whatever screen the test sets, real
 * mosh-client decodes the diffs with its own emulator and draws into a tmux
 * pane, and the pane is read raw (tests/support/tmux_cells.ts).
 *
 * @module
 */
import { formatKey, generateKey } from "../../lib/crypto/session_key.ts";
import { Transport } from "../../lib/network/transport.ts";
import { UdpSocket } from "../../lib/network/udp_socket.ts";
import { CompleteTerminal } from "../../lib/statesync/complete_terminal.ts";
import { UserStream } from "../../lib/statesync/user_stream.ts";
import type { Framebuffer } from "../../lib/terminal/framebuffer.ts";
import { TerminalState } from "../../lib/terminal/terminal_state.ts";
import { cellDifferences, parseTmuxCapture, type ShownCell, shownCells } from "./tmux_cells.ts";
import { TmuxSession } from "./tmux.ts";

/** What real mosh-client drew, read back from tmux. */
export interface RealClientScreen {
  cells: ShownCell[][];
  /** [row, column] of tmux's cursor. */
  cursor: [number, number];
  /** Cells that differ from the expected screen (empty when it matched). */
  differences: string[];
  capture: string;
}

/** One real mosh-client in tmux, fed by our server transport. */
export class RealClientView {
  readonly width: number;
  readonly height: number;
  readonly #transport: Transport<CompleteTerminal<TerminalState>, UserStream>;
  readonly #socket: UdpSocket;
  readonly #tmux: TmuxSession;
  readonly #pumping: Promise<void>;
  readonly #socketErrors: Error[];
  #closed = false;

  private constructor(
    width: number,
    height: number,
    transport: Transport<CompleteTerminal<TerminalState>, UserStream>,
    socket: UdpSocket,
    tmux: TmuxSession,
    socketErrors: Error[],
  ) {
    this.#socketErrors = socketErrors;
    this.width = width;
    this.height = height;
    this.#transport = transport;
    this.#socket = socket;
    this.#tmux = tmux;
    this.#pumping = this.#pump();
  }

  /** Starts real mosh-client in a `width`×`height` tmux pane, connected to our transport. */
  static async start(width: number, height: number): Promise<RealClientView> {
    const key = formatKey(generateKey());
    const socketErrors: Error[] = [];
    const holder: { transport?: Transport<CompleteTerminal<TerminalState>, UserStream> } = {};
    const socket = UdpSocket.bind({ hostname: "127.0.0.1", port: 0 }, (data, from) => {
      holder.transport?.receiveDatagram(data, from);
      holder.transport?.tick();
    }, (error) => socketErrors.push(error));
    const transport = holder.transport = new Transport({
      role: "server",
      key,
      initialState: new CompleteTerminal(new TerminalState(width, height)),
      initialRemoteState: new UserStream(),
      clock: () => performance.now(),
      socket,
    });
    const tmux = await TmuxSession.start({
      command: `mosh-client 127.0.0.1 ${socket.localAddr.port}`,
      env: { MOSH_KEY: key },
      width,
      height,
    });
    return new RealClientView(width, height, transport, socket, tmux, socketErrors);
  }

  async #pump(): Promise<void> {
    while (!this.#closed) {
      this.#transport.tick();
      const wait = Math.min(20, Math.max(1, this.#transport.waitTime()));
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** Sends `state` (a copy) as the server's newest screen. */
  show(state: TerminalState): void {
    this.#transport.currentState.screen = state.clone();
    this.#transport.tick();
  }

  /**
   * Reads the pane until it shows `fb` cell by cell with the cursor where
   * ours is (when visible), or `timeoutMs` passes; returns the last reading
   * (its `differences` say what did not match). Rows of ours for which
   * `skipRow` holds are not compared, nor the cursor on them.
   */
  async read(
    fb: Framebuffer,
    options: { timeoutMs?: number; skipRow?: (row: ShownCell[]) => boolean } = {},
  ): Promise<RealClientScreen> {
    const timeoutMs = options.timeoutMs ?? 3000;
    const skip = shownCells(fb).map((row) => options.skipRow?.(row) ?? false);
    // mosh 1.4.0 has no faint or strikethrough attribute: its client draws such text plain.
    const expected = shownCells(fb, { faint: false, strikethrough: false })
      .map((row, y) => skip[y] ? [] : row);
    const { cursorRow, cursorCol, cursorVisible } = fb.ds;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const capture = await this.#tmux.capture({ escapes: true, trailingSpaces: true });
      const [x, y] = (await this.#tmux.tmux(
        "display-message",
        "-p",
        "-t",
        "0",
        "#{cursor_x} #{cursor_y}",
      )).trim().split(" ").map(Number);
      const cells = parseTmuxCapture(capture, this.height).map((row, y) => skip[y] ? [] : row);
      // Erased cells' colour at the end of a line cannot be read back from tmux;
      // the round-trip tests check it in our own emulator.
      const differences = cellDifferences(expected, cells, { erasedBackground: false });
      if (cursorVisible && !skip[cursorRow] && (y !== cursorRow || x !== cursorCol)) {
        differences.push(`cursor at (${cursorRow},${cursorCol}) ≠ (${y},${x})`);
      }
      if (differences.length === 0 || Date.now() > deadline) {
        return { cells, cursor: [y!, x!], differences, capture };
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Stops the client, the transport and tmux; throws if the socket reported an error. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#pumping;
    await this.#tmux.close();
    this.#transport.close();
    await this.#socket.closed;
    const [first] = this.#socketErrors;
    if (first !== undefined) throw new Error(`Socket error during the session: ${first.message}`);
  }
}
