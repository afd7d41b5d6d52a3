/**
 * The message of the day our server shows above a login shell, read as
 * mosh 1.4.0 reads it (the end-to-end comparison with Debian's server is in
 * tests/wrapper/ssh_test.ts).
 */
import assert from "node:assert/strict";
import { loginGreeting, readMotd } from "../../lib/server/motd.ts";

function files(contents: Record<string, string>): (path: string) => Uint8Array {
  return (path) => {
    if (!(path in contents)) throw new Deno.errors.NotFound(path);
    return new TextEncoder().encode(contents[path]);
  };
}
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("motd: the dynamic one (/run, else /var/run), then /etc/motd, in the terminal's line endings", () => {
  assert.equal(
    text(
      readMotd(
        files({
          "/run/motd.dynamic": "a\n",
          "/var/run/motd.dynamic": "b\n",
          "/etc/motd": "c\n\nd",
        }),
      ),
    ),
    "a\r\nc\r\n\r\nd",
  );
  assert.equal(text(readMotd(files({ "/var/run/motd.dynamic": "b\n" }))), "b\r\n");
  assert.equal(text(readMotd(files({}))), "");
});

Deno.test("motd: bytes pass as they are, but for line feeds", () => {
  const raw = new Uint8Array([0xff, 0x1b, 0x5b, 0x31, 0x6d, 0x0a, 0x0d, 0x0a]);
  const motd = readMotd((path) => {
    if (path !== "/etc/motd") throw new Deno.errors.NotFound(path);
    return raw;
  });
  assert.deepEqual([...motd], [0xff, 0x1b, 0x5b, 0x31, 0x6d, 0x0d, 0x0a, 0x0d, 0x0d, 0x0a]);
});

Deno.test("login greeting: the motd, then the detached-session notice", () => {
  assert.equal(
    text(loginGreeting("notice\r\n", files({ "/etc/motd": "hi\n" }))),
    "hi\r\nnotice\r\n",
  );
});
