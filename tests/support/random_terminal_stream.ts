/**
 * Random host output for the display-diff property tests: pieces covering
 * text, wide and combining characters, SGR, erasing, scrolling, modes,
 * titles and the alternate screen, mixed with raw random bytes.
 *
 * @module
 */

const PIECES = [
  "hello",
  " ",
  "\r\n",
  "\n",
  "\r",
  "\t",
  "\b",
  "\x07",
  "e\u0301",
  "\u0302",
  "\u4e2d\u6587",
  "\u{1f600}",
  "\x1b[1;31m",
  "\x1b[0m",
  "\x1b[38;5;200m",
  "\x1b[48;2;10;20;30m",
  "\x1b[7;4m",
  "\x1b[44m",
  "\x1b[K",
  "\x1b[1K",
  "\x1b[2K",
  "\x1b[J",
  "\x1b[1J",
  "\x1b[2J",
  "\x1b[H",
  "\x1b[5;10H",
  "\x1b[A",
  "\x1b[3B",
  "\x1b[2C",
  "\x1b[D",
  "\x1b[2;5r",
  "\x1b[r",
  "\x1b[3L",
  "\x1b[2M",
  "\x1b[4@",
  "\x1b[3P",
  "\x1b[6X",
  "\x1b[S",
  "\x1b[2T",
  "\x1bM",
  "\x1bD",
  "\x1bE",
  "\x1b7",
  "\x1b8",
  "\x1b[?25l",
  "\x1b[?25h",
  "\x1b[?5h",
  "\x1b[?5l",
  "\x1b[?7l",
  "\x1b[?7h",
  "\x1b[?6h",
  "\x1b[?6l",
  "\x1b[4h",
  "\x1b[4l",
  "\x1b[?2004h",
  "\x1b[?1002h",
  "\x1b[?1006h",
  "\x1b[?1004h",
  "\x1b]0;title\x07",
  "\x1b]1;icon\x07",
  "\x1b]2;window\x07",
  "\x1b]52;c;aGk=\x07",
  "\x1b[?1049h",
  "\x1b[?1049l",
  "\x1b#8",
  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
  "\x1b(0lqk\x1b(B",
  // Beyond mosh 1.4.0: REP, line drawing left on, SO/SI, cursor styles, the ANSI
  // save/restore, CNL/CPL, faint and strikethrough.
  "x\x1b[3b",
  "\x1b(0",
  "\x1b(B",
  "\x1b)0\x0e",
  "\x0f",
  "\x1b[5 q",
  "\x1b[s",
  "\x1b[u",
  "\x1b[2E",
  "\x1b[F",
  "\x1b[2;9m",
  "\x1b[22;29m",
  // Beyond mosh 1.4.0 (2026-12-07): colon SGR, mode queries, the title stack, the working
  // directory, notifications, synchronized updates (ignored by the emulator).
  "\x1b[4:3m",
  "\x1b[1;38:2::200:10:0;48:5:17m",
  "\x1b[4:0;58:2::1:2:3m",
  "\x1b[?2026$p",
  "\x1b[22;0t",
  "\x1b[23;0t",
  "\x1b]7;file://host/tmp\x07",
  "\x1b]9;note\x07",
  "\x1b]777;notify;T;B\x1b\\",
  "\x1b[?2026h",
  "\x1b[?2026l",
];

/**
 * `pieces` random pieces of host output (with a 10 % chance each of five raw
 * random bytes instead), drawn with `random`.
 */
export function randomStream(random: () => number, pieces: number): string {
  let s = "";
  for (let i = 0; i < pieces; i++) {
    if (random() < 0.1) {
      // raw random bytes, decoded leniently
      s += String.fromCharCode(...Array.from({ length: 5 }, () => Math.floor(random() * 256)));
    } else {
      s += PIECES[Math.floor(random() * PIECES.length)]!;
    }
  }
  return s;
}
