/**
 * A corpus of host output covering the emulator's sequences, played into
 * tmux and into our emulator (tmux_oracle_test), and sent through our display
 * diff to real mosh-client (real_mosh_client_decoder_test).
 *
 * @module
 */
import { seededRandom } from "./sim_network.ts";

/** The screen size every case is played at. */
export const W = 40, H = 10;

const esc = "\x1b";
const random = seededRandom(1234);

function randomMix(): string {
  let s = "";
  for (let i = 0; i < 60; i++) {
    const r = random();
    if (r < 0.3) s += `${esc}[${1 + Math.floor(random() * H)};${1 + Math.floor(random() * W)}H`;
    else if (r < 0.5) s += `${esc}[${[0, 1, 4, 7, 31, 42, 93, 105][Math.floor(random() * 8)]}m`;
    else if (r < 0.55) s += `${esc}[38;5;${Math.floor(random() * 256)}m`;
    else if (r < 0.6) s += "\r\n";
    else s += "abcdefghij".slice(0, 1 + Math.floor(random() * 10));
  }
  return s;
}

/** Each case: a name and the host output played into both emulators. */
export const CASES: Record<string, string> = {
  "plain text and CR LF": "hello\r\nworld\r\n  indented",
  "deferred wrap at the last column": "x".repeat(W) + "y",
  "last column without wrap stays": "x".repeat(W),
  "autowrap off overwrites the last column": `${esc}[?7l${"a".repeat(W + 5)}b`,
  "backspace and tab stops": "ab\bc\tT\tU\r\n\t\tV",
  "set and clear tab stops": `${esc}[3g   ${esc}H\r\tX\r\n\tY`,
  "cursor movement": `${esc}[5;10HA${esc}[2AB${esc}[3BC${esc}[4CD${esc}[6DE${esc}[20GF${esc}[2dG`,
  "SGR attributes":
    `${esc}[1mbold${esc}[0m ${esc}[4munder${esc}[0m ${esc}[7minv${esc}[0m ${esc}[3mit${esc}[0m ` +
    `${esc}[5mblink${esc}[0m ${esc}[8mhid${esc}[0m ${esc}[1;4;7mall${esc}[22;24mrev${esc}[27m`,
  "SGR 2 (dim)": `plain ${esc}[2mdim${esc}[22m plain ${esc}[1;2mbold-dim${esc}[0m`,
  "SGR 9 (strikethrough)":
    `${esc}[9mstruck${esc}[29m plain ${esc}[2;9;31mboth${esc}[22mstill-struck${esc}[0m`,
  "16 colours": [...Array(8).keys()].map((i) => `${esc}[3${i}m${i}${esc}[4${7 - i}m${i}`).join("") +
    `${esc}[0m\r\n` +
    [...Array(8).keys()].map((i) => `${esc}[9${i}m${i}${esc}[10${i}m${i}`).join(""),
  "256 colours": [0, 7, 8, 15, 16, 100, 196, 231, 232, 255].map((n) =>
    `${esc}[38;5;${n};48;5;${255 - n}m#`
  )
    .join(""),
  "SGR colon sub-parameters (beyond mosh): underline styles, colours, others ignored":
    `a${esc}[4:3mcurl${esc}[4:0m b${esc}[1;4:2;38:2::255:0:10mX${esc}[0m ` +
    `${esc}[58:2::1:2:3;4mU${esc}[59;24m ${esc}[38:5:196mP${esc}[38:2:1:2:3mQ${esc}[0m ` +
    `${esc}[38;5;28;48:5:3;7mR${esc}[m ${esc}[5:1mS${esc}[4:9mT${esc}[3:4HV${esc}[2:1CW`,
  "SGR 58 underline colour, semicolon forms (vim's t_AU, t_8u): its numbers are not SGRs":
    `${esc}[58;5;196;4mU${esc}[0m ${esc}[58;2;1;2;3;1mB${esc}[0m ${esc}[4;58;2;9;3;7;3mI${esc}[0m ` +
    `${esc}[58;5;9;59;7mR${esc}[0m ${esc}[58;5mX${esc}[0m`,
  "SGR 6 (rapid blink) and 21 (double underline), as xterm and tmux read them":
    `a${esc}[6mB${esc}[25mc ${esc}[1;21mD${esc}[24me ${esc}[6;26mF${esc}[0m`,
  "true colour": `${esc}[38;2;10;200;30mrgb${esc}[48;2;250;0;100mbg${esc}[0m`,
  "background colour erase (ED, EL, ECH)":
    `text${esc}[44m${esc}[K\r\n${esc}[42m${esc}[5X\r\n${esc}[41m${esc}[J`,
  "erase in display 1 and line 1": "x".repeat(W * 3) + `${esc}[2;20H${esc}[1J${esc}[3;10H${esc}[1K`,
  "erase in display 2": `abc\r\ndef${esc}[2J`,
  "scroll region: LF at the bottom margin": `${esc}[3;6r${esc}[6;1H` +
    [...Array(5).keys()].map((i) => `line${i}\r\n`).join("") + `${esc}[r`,
  "scroll region: RI at the top margin": "a\r\nb\r\nc\r\nd\r\ne" +
    `${esc}[2;4r${esc}[2;1H${esc}M${esc}MX${esc}[r`,
  "insert and delete lines in a region": "1\r\n2\r\n3\r\n4\r\n5\r\n6" +
    `${esc}[2;5r${esc}[3;1H${esc}[2L${esc}[5;1H${esc}[M${esc}[r`,
  "insert and delete characters": `abcdefghij${esc}[1;3H${esc}[2@XY${esc}[1;8H${esc}[3P`,
  "origin mode": `${esc}[3;7r${esc}[?6h${esc}[1;1Horigin${esc}[10;1Hclamped${esc}[?6l${esc}[r`,
  "CNL, CPL and the ANSI save and restore (CSI s, CSI u)":
    `ab${esc}[2Ecd${esc}[Fef${esc}[E${esc}[3;5H${esc}[1;32m${esc}[sXY${esc}[0m${esc}[8;1H${esc}[uZ` +
    `${esc}[10;3H${esc}[5Fup${esc}[20Edown`,
  "save and restore cursor": `${esc}[3;3H${esc}[1msaved${esc}7${esc}[10;10H${esc}[0mx${esc}8after`,
  "wide CJK characters": "中文字符 ab 한국어\r\n" + "x".repeat(W - 1) + "中",
  "combining character after a base": "e\u0301 a\u0308\u0304 n\u0303",
  "emoji": "\u{1f600}\u{1f680} ok",
  "alternate screen entered and left": `primary${esc}[?1049hALT SCREEN${esc}[?1049l`,
  "alternate screen left on": `primary${esc}[?1049h${esc}[2;2Halt text`,
  // The shell's cursor comes back where 1049 left it, whatever the program saved (until
  // 2026-12-08 one slot held both: the program's DECSC moved the shell's cursor).
  "DECSC on the alternate screen leaves the shell's cursor":
    `abc${esc}[?1049h${esc}[5;5H${esc}7alt${esc}[?1049lX${esc}8Y`,
  "1047 keeps the cursor where the program left it": `abc${esc}[?1047h${esc}[5;5Hx${esc}[?1047lY`,
  "invalid UTF-8 becomes U+FFFD": "a\xff\xfeb",
  "a listing that scrolls": [...Array(25).keys()].map((i) =>
    `${esc}[01;34mdir${i}${esc}[0m  ${esc}[01;32mexec${i}${esc}[0m  file${i}.txt\r\n`
  ).join(""),
  "random mix 1": randomMix(),
  "random mix 2": randomMix(),
  "random mix 3": randomMix(),
  "REP (ncurses' rep): runs, the end of the row, not after other sequences": `=${esc}[19b\r\n` +
    `${esc}[31mx${esc}[4b${esc}[0mx${esc}[1;44m${esc}[4b${esc}[0m\r\n` +
    `${
      "y".repeat(W - 5)
    }z${esc}[9b\r\na\r${esc}[3b b${esc}[Cc${esc}[2b\r\n${esc}[b e\u0301${esc}[2b` +
    `\r\n${"w".repeat(W)}${esc}[3b`,
  "combining character in column 0": "\u0301x",
  "DEC line drawing: G0 and G1, SO/SI, saved with the cursor":
    `${esc}(0lqqk${esc}(B ascii\r\n${esc})0x\x0ex\x0fx tuvwn\x0etuvwn\x0f\r\n` +
    `${esc}(0mj${esc}7${esc}(Bq${esc}8q${esc}(B end`,
};

/** A case's bytes: the invalid-UTF-8 case is raw bytes, the others are UTF-8. */
export function caseBytes(name: string, text: string): Uint8Array {
  return name.startsWith("invalid UTF-8")
    ? Uint8Array.from([...text].map((c) => c.charCodeAt(0)))
    : new TextEncoder().encode(text);
}
