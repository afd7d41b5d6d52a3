/**
 * Test helper process: becomes the program named in `PTY_EXEC_REQUEST` on
 * the pty named there, as its controlling terminal (see `execInPty`).
 *
 * @module
 */
import { execInPty, type ExecRequest } from "./child_exec.ts";

const request = JSON.parse(Deno.env.get("PTY_EXEC_REQUEST") ?? "null") as ExecRequest | null;
if (request === null) {
  console.error("pty_exec_helper: PTY_EXEC_REQUEST is not set");
  Deno.exit(2);
}
Deno.env.delete("PTY_EXEC_REQUEST");
execInPty(request);
