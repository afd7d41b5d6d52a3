import assert from "node:assert/strict";
import { parsePasswdEntry } from "../../lib/server/passwd_entry.ts";

Deno.test("parsePasswdEntry: the line of the user id, its home and shell; none without one", () => {
  const passwd = "root:x:0:0:root:/root:/bin/bash\n" +
    "bad line\n" +
    "alice:x:1000:1000:Alice,,,:/home/alice:\n" +
    "bob:x:10000:10000::/home/bob:/usr/bin/zsh\n";
  assert.deepEqual(parsePasswdEntry(passwd, 0), { dir: "/root", shell: "/bin/bash" });
  // An empty shell field: the caller's /bin/sh.
  assert.deepEqual(parsePasswdEntry(passwd, 1000), { dir: "/home/alice", shell: "" });
  // By id, not by a prefix of it.
  assert.deepEqual(parsePasswdEntry(passwd, 10000), { dir: "/home/bob", shell: "/usr/bin/zsh" });
  assert.equal(parsePasswdEntry(passwd, 1), null);
});
