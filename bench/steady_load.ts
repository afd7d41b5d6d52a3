/**
 * The steady mixed output both bench/compare_real_mosh.ts and
 * bench/steady_client.ts measure under: a shell loop printing `seq 1 200`,
 * coloured and underlined lines and `ls -l /usr/bin | head -40` every 0.5 s.
 *
 * @module
 */

/** The loop, as typed at a shell prompt (with its Enter). */
export const STEADY_LOAD_COMMAND =
  "while :; do seq 1 200; printf '\\033[1;3%dmcolour\\033[0m \\033[4mline\\033[0m\\n' 1 2 3 4 5 6 7; ls -l /usr/bin | head -40; sleep 0.5; done\r";
