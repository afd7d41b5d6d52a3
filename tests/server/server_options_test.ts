/**
 * mosh-server's options and environment, ours side by side with Debian's
 * real mosh-server 1.4.0 as the oracle: `-c`, `-i` (IPv4 and IPv6), `-v`,
 * and whole sessions over `::1`.
 */
import assert from "node:assert/strict";
import { clientCommandLine, type Implementation, startServer } from "../support/mosh_programs.ts";
import { parseMoshConnect, processAlive, waitForExit } from "../support/real_mosh.ts";
import { waitUntil } from "../support/processes.ts";
import { TmuxSession } from "../support/tmux.ts";

const IMPLEMENTATIONS: Implementation[] = ["real", "ours"];
const PROMPT = /^\$ ?$/m;

/** The local address a UDP port is bound to, from /proc/net/udp and udp6. */
function boundAddress(port: number): string | null {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const file of ["/proc/net/udp", "/proc/net/udp6"]) {
    for (const line of Deno.readTextFileSync(file).split("\n").slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      if (local?.endsWith(`:${hexPort}`)) {
        const hex = local.slice(0, -5);
        if (hex.length === 8) {
          return hex.match(/../g)!.reverse().map((b) => parseInt(b, 16)).join(".");
        }
        return hex === "00000000000000000000000001000000"
          ? "::1"
          : hex === "0".repeat(32)
          ? "::"
          : hex;
      }
    }
  }
  return null;
}

Deno.test("the daemon is named mosh-server, as Debian's: pgrep, ps and killall find it", async () => {
  for (const which of IMPLEMENTATIONS) {
    const server = await startServer(which);
    try {
      const out = await new Deno.Command("pgrep", { args: ["-x", "mosh-server"] }).output();
      const pids = new TextDecoder().decode(out.stdout).split("\n");
      assert.ok(pids.includes(String(server.pid)), `${which}: ${server.pid} not in ${pids}`);
    } finally {
      await server.stop();
    }
  }
});

Deno.test("-c sets the shell's TERM as real mosh-server does", async () => {
  const seen: Record<string, string> = {};
  await Promise.all(IMPLEMENTATIONS.flatMap((which) =>
    ["8", "256"].map(async (colors) => {
      const server = await startServer(which, { args: ["-c", colors], env: { PS1: "$ " } });
      const tmux = await TmuxSession.start({
        command: clientCommandLine("real", server.port),
        env: { MOSH_KEY: server.key },
      });
      try {
        await tmux.waitFor(PROMPT, { timeoutMs: 15_000 });
        await tmux.sendText('echo "term=$TERM"\r');
        seen[`${which} -c ${colors}`] = (await tmux.waitFor(/^term=.*$/m)).match(
          /^term=(.*)$/m,
        )![1]!;
      } finally {
        await tmux.close();
        await server.stop();
      }
    })
  ));
  assert.deepEqual(seen, {
    "real -c 8": "xterm",
    "real -c 256": "xterm-256color",
    "ours -c 8": "xterm",
    "ours -c 256": "xterm-256color",
  });
});

Deno.test("-i binds the given address only, IPv4 or IPv6, as real mosh-server does", async () => {
  const seen: Record<string, string | null> = {};
  for (const which of IMPLEMENTATIONS) {
    for (const ip of ["127.0.0.1", "::1"]) {
      const server = await startServer(which, { args: ["-i", ip] });
      try {
        seen[`${which} -i ${ip}`] = boundAddress(server.port);
      } finally {
        await server.stop();
      }
    }
  }
  assert.deepEqual(seen, {
    "real -i 127.0.0.1": "127.0.0.1",
    "real -i ::1": "::1",
    "ours -i 127.0.0.1": "127.0.0.1",
    "ours -i ::1": "::1",
  });
});

Deno.test("sessions over IPv6 (::1): real client with our server, ours with ours, ours with real", async () => {
  const pairings: [Implementation, Implementation][] = [
    ["real", "ours"],
    ["ours", "ours"],
    ["ours", "real"],
  ];
  for (const [client, serverImpl] of pairings) {
    const server = await startServer(serverImpl, { args: ["-i", "::1"], env: { PS1: "$ " } });
    const tmux = await TmuxSession.start({
      command: clientCommandLine(client, server.port, "::1"),
      env: { MOSH_KEY: server.key },
    });
    try {
      await tmux.waitFor(PROMPT, { timeoutMs: 15_000 });
      await tmux.sendText("echo over-ipv$((3+3))\r");
      await tmux.waitFor(/^over-ipv6$/m);
      assert.equal(boundAddress(server.port), "::1");
    } catch (error) {
      throw new Error(`${client} client, ${serverImpl} server: ${(error as Error).message}`);
    } finally {
      await tmux.close();
      await server.stop();
    }
  }
});

// Both servers are started on a terminal (a tmux pane): real mosh-server -v with stdin
// /dev/null exits at once ("No connection within 60 seconds."). Real one also prints its
// per-datagram debug lines after this one; ours does not.
Deno.test("-v keeps the daemon's stderr: 'Server now attached to client at …' as real mosh-server prints", async () => {
  const ROOT = new URL("../../", import.meta.url).pathname;
  const lines: Record<string, string> = {};
  for (const which of IMPLEMENTATIONS) {
    const dir = await Deno.makeTempDir({ prefix: "mosh-v-" });
    const server = which === "real"
      ? "mosh-server"
      : `${Deno.execPath()} run -A --unstable-net ${ROOT}cli/mosh_server.ts`;
    const read = (name: string) => {
      try {
        return Deno.readTextFileSync(`${dir}/${name}`);
      } catch {
        return "";
      }
    };
    const launcher = await TmuxSession.start({
      command: `${server} new -v -p 0 -- /bin/sh >${dir}/out 2>${dir}/err; sleep 60`,
      env: { PS1: "$ " },
    });
    let pid = 0;
    let tmux: TmuxSession | undefined;
    try {
      await waitUntil(() => /\[mosh-server detached, pid = \d+\]/.test(read("err")), "detach");
      pid = Number(read("err").match(/\[mosh-server detached, pid = (\d+)\]/)![1]);
      const { port, key } = parseMoshConnect(read("out"));
      tmux = await TmuxSession.start({
        command: clientCommandLine("real", port),
        env: { MOSH_KEY: key },
      });
      await tmux.waitFor(PROMPT, { timeoutMs: 15_000 });
      await waitUntil(() => read("err").includes("Server now attached"), `${which}'s -v output`);
      lines[which] = read("err").match(/^Server now attached to client at .*$/m)![0]
        .replace(/:\d+$/, ":PORT");
    } finally {
      await tmux?.close();
      await launcher.close();
      if (pid > 0 && processAlive(pid)) Deno.kill(pid, "SIGTERM");
      if (pid > 0) await waitForExit(pid, 5000);
      await Deno.remove(dir, { recursive: true });
    }
  }
  assert.deepEqual(lines, {
    real: "Server now attached to client at 127.0.0.1:PORT",
    ours: "Server now attached to client at 127.0.0.1:PORT",
  });
});
