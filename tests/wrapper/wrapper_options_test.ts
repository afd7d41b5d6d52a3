/**
 * The wrapper's `-p`, `--predict` and `--no-init` end to end through a real
 * sshd, ours side by side with Debian's `mosh` as the oracle: the server
 * listens on the port asked for, and the client runs with that port, the
 * prediction mode (`MOSH_PREDICTION_DISPLAY`) and `MOSH_NO_TERM_INIT`, so the
 * terminal stays on its main screen.
 */
import assert from "node:assert/strict";
import { commandLine, descendants, waitUntil } from "../support/processes.ts";
import { TestSshd } from "../support/sshd.ts";
import { shellQuote, TmuxSession } from "../support/tmux.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

/** A UDP port that was free a moment ago. */
function freePort(): number {
  const conn = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
  const port = (conn.addr as Deno.NetAddr).port;
  conn.close();
  return port;
}

/** Whether a UDP socket is bound to `port` (IPv4 or IPv6), from /proc. */
function udpPortBound(port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  return ["/proc/net/udp", "/proc/net/udp6"].some((file) =>
    Deno.readTextFileSync(file).split("\n").some((line) =>
      line.trim().split(/\s+/)[1]?.endsWith(hex)
    )
  );
}

Deno.test("-p, --predict and --no-init reach the server and the client, as with Debian's mosh", async () => {
  const sshd = await TestSshd.start();
  const ssh = shellQuote(`--ssh=${sshd.sshCommand}`);
  const wrappers = {
    real: "mosh",
    ours: `${Deno.execPath()} run -A --unstable-net --no-lock ${ROOT}cli/mosh.ts`,
  };
  const seen: Record<string, unknown> = {};
  try {
    for (const [which, wrapper] of Object.entries(wrappers)) {
      const port = freePort();
      const tmux = await TmuxSession.start({
        command:
          `${wrapper} ${ssh} -p ${port} --predict=always --no-init ${sshd.target}; echo WRAPPER-EXIT; sleep 60`,
        env: { PS1: "$ " },
      });
      try {
        await tmux.waitFor(/[$#] ?$/m, { timeoutMs: 20_000 });
        const pane = await tmux.panePid();
        let client: number | undefined;
        await waitUntil(() => {
          client = [pane, ...descendants(pane)].find((pid) =>
            /mosh-client|mosh_client\.ts/.test(commandLine(pid)?.join(" ") ?? "")
          );
          return client !== undefined;
        }, `${which}'s mosh-client`);
        const environ = Deno.readTextFileSync(`/proc/${client}/environ`).split("\0");
        seen[which] = {
          serverListens: udpPortBound(port),
          clientPort: commandLine(client!)!.at(-1),
          prediction: environ.find((e) => e.startsWith("MOSH_PREDICTION_DISPLAY=")),
          noInit: environ.find((e) => e.startsWith("MOSH_NO_TERM_INIT=")),
          alternateScreen: (await tmux.tmux("display-message", "-p", "-t", "0", "#{alternate_on}"))
            .trim(),
        };
        await tmux.sendText("exit\r");
        // Let the session end before the window goes: killed mid-shutdown, a client and
        // its server could outlive the test.
        await tmux.waitFor(/^WRAPPER-EXIT$/m, { timeoutMs: 15_000 });
      } finally {
        await tmux.close();
      }
      const expected = {
        serverListens: true,
        clientPort: String(port),
        prediction: "MOSH_PREDICTION_DISPLAY=always",
        noInit: "MOSH_NO_TERM_INIT=1",
        alternateScreen: "0",
      };
      assert.deepEqual(seen[which], expected, which);
    }
  } finally {
    await sshd.stop();
  }
});
