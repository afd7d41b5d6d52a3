import assert from "node:assert/strict";
import { cleanMappingsOf } from "../lib/resident_code.ts";

const SMAPS = `5597e7a8e000-5597e961c000 r--p 00000000 fe:01 123 /usr/bin/deno
Rss:               12664 kB
Anonymous:             0 kB
5597e9892000-5597ed586000 r-xp 01a03000 fe:01 123 /usr/bin/deno
Rss:               22856 kB
Anonymous:             0 kB
5597ed586000-5597ed7f8000 rw-p 056f6000 fe:01 123 /usr/bin/deno
Rss:                2504 kB
Anonymous:          2504 kB
5597ed806000-5597ed807000 r--p 05a76000 fe:01 123 /usr/bin/deno
Rss:                   4 kB
Anonymous:             4 kB
7f852bdc0000-7f852bfe6000 r-xp 02000000 fe:01 123 /usr/bin/deno
Rss:                   0 kB
Anonymous:             0 kB
7f8541054000-7f854115f000 r--s 00000000 fe:01 456 /root/.cache/deno/v8_code_cache_v2
Rss:                 640 kB
Anonymous:             0 kB
7f85411e5000-7f85411ed000 r-xp 00000000 fe:01 789 /usr/lib/x86_64-linux-gnu/libc.so.6
Rss:                1240 kB
Anonymous:             0 kB
`;

Deno.test("cleanMappingsOf keeps only read-only, unwritten, resident mappings of the file", () => {
  const found = cleanMappingsOf(SMAPS, "/usr/bin/deno");
  assert.deepEqual(found.map((m) => [m.start.toString(16), m.end.toString(16), m.rss]), [
    ["5597e7a8e000", "5597e961c000", 12664],
    ["5597e9892000", "5597ed586000", 22856],
  ]);
  // Written pages (relocated read-only data, .data) would be lost: never listed.
  assert(found.every((m) => m.anonymous === 0));
  assert.deepEqual(cleanMappingsOf(SMAPS, "/usr/bin/other"), []);
});

Deno.test({
  name: "releaseIdleCode gives back executable pages and the process runs on (kernel's RssFile)",
  ignore: Deno.build.os !== "linux",
  async fn() {
    // A process of its own: the kernel's counters, read before and after, are the oracle.
    const script = `
      import { releaseIdleCode } from ${
      JSON.stringify(new URL("../lib/resident_code.ts", import.meta.url).href)
    };
      const fileKb = () => Number(/RssFile:\\s+(\\d+)/.exec(Deno.readTextFileSync("/proc/self/status"))[1]);
      const before = fileKb();
      const released = releaseIdleCode();
      const after = fileKb();
      // Code runs on after its pages were given back (they fault back in).
      const sum = [...Array(1000).keys()].reduce((a, b) => a + b, 0);
      console.log(JSON.stringify({ before, released, after, sum, text: new TextDecoder().decode(new TextEncoder().encode("ok")) }));
    `;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--ext=ts", script],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    assert(out.success);
    const r = JSON.parse(new TextDecoder().decode(out.stdout));
    assert.deepEqual(r.sum, 499500);
    assert.deepEqual(r.text, "ok");
    assert(r.released > 5000, `released only ${r.released} kB`);
    assert(r.after < r.before - 5000, `RssFile ${r.before} → ${r.after} kB`);
  },
});
