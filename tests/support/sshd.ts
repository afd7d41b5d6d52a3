/**
 * A private OpenSSH server on 127.0.0.1 for end-to-end tests: generated
 * host and user keys in a temporary directory, its own config file, no
 * system-wide settings touched (except creating sshd's standard
 * privilege-separation directory if the system lacks it).
 *
 * @module
 */
import { TEST_STATE_HOME } from "./state_home.ts";

async function run(cmd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).output();
  if (!out.success) throw new Error(`${cmd} failed: ${new TextDecoder().decode(out.stderr)}`);
}

function freeTcpPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A running test sshd. */
export class TestSshd {
  readonly dir: string;
  readonly port: number;
  readonly #process: Deno.ChildProcess;

  private constructor(dir: string, port: number, process: Deno.ChildProcess) {
    this.dir = dir;
    this.port = port;
    this.#process = process;
  }

  /** The `--ssh=` value that logs in to this server with the test key. */
  get sshCommand(): string {
    return `ssh -p ${this.port} -i ${this.dir}/id_ed25519 -o StrictHostKeyChecking=no ` +
      `-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes`;
  }

  /** The login target for the current user. */
  get target(): string {
    return `${Deno.env.get("USER") ?? "root"}@127.0.0.1`;
  }

  static async start(): Promise<TestSshd> {
    const dir = await Deno.makeTempDir({ prefix: "mosh-sshd-" });
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", `${dir}/host_ed25519`]);
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", `${dir}/id_ed25519`]);
    await Deno.copyFile(`${dir}/id_ed25519.pub`, `${dir}/authorized_keys`);
    try {
      await Deno.stat("/run/sshd");
    } catch {
      await Deno.mkdir("/run/sshd", { recursive: true, mode: 0o755 });
    }
    const port = freeTcpPort();
    await Deno.writeTextFile(
      `${dir}/sshd_config`,
      [
        `Port ${port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${dir}/host_ed25519`,
        `AuthorizedKeysFile ${dir}/authorized_keys`,
        `PidFile ${dir}/sshd.pid`,
        "PermitRootLogin yes",
        "StrictModes no",
        "UsePAM no",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "AcceptEnv LANG LC_*",
        // Logins get a fresh environment: keep their resume store off the real one too.
        `SetEnv XDG_STATE_HOME=${TEST_STATE_HOME}`,
        "LogLevel ERROR",
        "",
      ].join("\n"),
    );
    const process = new Deno.Command("/usr/sbin/sshd", {
      args: ["-D", "-e", "-f", `${dir}/sshd_config`],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const sshd = new TestSshd(dir, port, process);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        return sshd;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await sshd.stop();
    throw new Error("sshd did not start listening");
  }

  /** Stops sshd and removes its directory. */
  async stop(): Promise<void> {
    try {
      this.#process.kill("SIGTERM");
    } catch { /* gone */ }
    await this.#process.status;
    await Deno.remove(this.dir, { recursive: true });
  }
}
